import { isStoreClosedError } from './store-closed.js';
import { EventEmitter } from 'node:events';
import { Kysely, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './database.js';
import { migrate } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';
import { batchStatementsOn } from './batched-lookup.js';
import { PipelinedBeginDialect, PreparingClient } from './postgres-connections.js';
import { lineOf, linesOf, PostgresNotifier } from './postgres-notifier.js';
import { MISSED_NOTIFICATIONS, type NotificationListener, type Store, type Tx } from './store.js';

// int8 columns (sequences, sizes) fit in a double for every value Coffer stores.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

const NOTIFY_CHANNEL = 'coffer_events';
const SEND_NOTIFICATIONS = 'SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload';
const MIGRATION_LOCK_KEY = 4_242_001;
const RETRIED_TRANSACTION_ATTEMPTS = 5;

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004']);

export interface PostgresStoreOptions {
  url: string;
  poolSize?: number;
  /** Concurrent lookups and one-row updates share statements (batched-lookup.ts, batched-updates.ts); default on. */
  batchStatements?: boolean;
}

function backendOf(client: pg.PoolClient): number | null {
  return (client as unknown as { processID: number | null }).processID ?? null;
}

export async function openPostgresStore({ url, poolSize = 10, batchStatements = true }: PostgresStoreOptions): Promise<Store> {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    Client: PreparingClient,
    pipeline: true,
  } as pg.PoolConfig);
  /** The server processes of this node's pool: notifications they sent were delivered here already. */
  const ownBackends = new Set<number>();
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it on next use.
  });
  pool.on('connect', (client) => {
    // A client in use whose server goes away (restart, pg_terminate_backend) emits 'error' between queries; the
    // query in flight fails on its own and the pool drops the broken client when it is released.
    client.on('error', () => undefined);
    const backend = backendOf(client);
    if (backend !== null) ownBackends.add(backend);
  });
  pool.on('remove', (client) => {
    const backend = backendOf(client);
    if (backend !== null) ownBackends.delete(backend);
  });
  const db = new Kysely<Database>({ dialect: new PipelinedBeginDialect({ pool }) });
  if (batchStatements) batchStatementsOn(db);

  await db.connection().execute(async (conn) => {
    await sql`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(conn);
    try {
      await migrate(conn, 'postgres', MIGRATIONS);
    } finally {
      await sql`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(conn);
    }
  });

  const bus = new EventEmitter();
  bus.setMaxListeners(0);
  let listenerClient: pg.Client | null = null;
  let closed = false;

  let reconnectTimer: NodeJS.Timeout | null = null;

  function reconnectListenerSoon(): void {
    if (closed || reconnectTimer) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      connectListener().catch(() => reconnectListenerSoon());
    }, 250);
    reconnectTimer.unref();
  }

  /** One dedicated connection LISTENs; when it drops (server restart), it is replaced until the server is back. */
  async function connectListener(): Promise<void> {
    if (closed) return;
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    const lost = () => {
      if (listenerClient === client) listenerClient = null;
      client.removeAllListeners('notification');
      reconnectListenerSoon();
    };
    client.on('notification', (message) => {
      if (ownBackends.has(message.processId)) return;
      for (const [channel, payload] of linesOf(message.payload ?? '')) bus.emit('notification', channel, payload);
    });
    client.on('error', lost);
    client.on('end', lost);
    try {
      await client.connect();
      await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw error;
    }
    if (closed) {
      await client.end().catch(() => undefined);
      return;
    }
    listenerClient = client;
    if (everListened) bus.emit('notification', MISSED_NOTIFICATIONS, '');
    everListened = true;
  }
  let everListened = false;
  await connectListener();

  const notifier = new PostgresNotifier(
    async (payloads) => {
      await pool.query(SEND_NOTIFICATIONS, [NOTIFY_CHANNEL, payloads]);
    },
    (channel, payload) => bus.emit('notification', channel, payload),
  );

  return {
    db,
    capabilities: { engine: 'postgres', sharedAcrossNodes: true, commitOrder: 'commit-horizon', groupCommit: false },
    oneStatement: { notifyCommitted: (channel, payload) => void notifier.post([[channel, payload]]) },
    async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        const callbacks: (() => void)[] = [];
        const notifications: [string, string][] = [];
        try {
          const result = await db.transaction().execute((trx) =>
            work({
              db: trx,
              afterCommit: (cb) => callbacks.push(cb),
              // Sent once the transaction has committed (postgres-notifier.ts), never on rollback.
              notify: async (channel, payload) => {
                lineOf(channel, payload);
                notifications.push([channel, payload]);
              },
            }),
          );
          for (const cb of callbacks) cb();
          void notifier.post(notifications);
          return result;
        } catch (error) {
          // A deadlock victim (e.g. two writers taking two rows' locks in opposite orders) or a
          // serialization failure is rolled back whole: running it again is safe and is what the client would do.
          const code = (error as { code?: string } | null)?.code;
          if (attempt >= RETRIED_TRANSACTION_ATTEMPTS || (code !== '40P01' && code !== '40001')) throw error;
        }
      }
    },
    async notify(channel, payload) {
      await notifier.post([[channel, payload]]);
    },
    listen(listener: NotificationListener) {
      bus.on('notification', listener);
      return () => bus.off('notification', listener);
    },
    isUnavailableError(error) {
      const code = (error as { code?: string } | null)?.code;
      if (code && UNAVAILABLE_CODES.has(code)) return true;
      const message = (error as Error | null)?.message ?? '';
      return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message) || isStoreClosedError(error);
    },
    async close() {
      closed = true;
      notifier.close();
      if (reconnectTimer) clearTimeout(reconnectTimer);
      bus.removeAllListeners();
      const client = listenerClient;
      listenerClient = null;
      client?.removeAllListeners('end');
      await client?.end().catch(() => undefined);
      await db.destroy();
    },
  };
}
