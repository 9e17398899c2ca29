import { EventEmitter } from 'node:events';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './database.js';
import { migrate } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';
import type { NotificationListener, Store, Tx } from './store.js';

// int8 columns (sequences, sizes) fit in a double for every value Coffer stores.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

const NOTIFY_CHANNEL = 'coffer_events';
const MIGRATION_LOCK_KEY = 4_242_001;

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004']);

export interface PostgresStoreOptions {
  url: string;
  poolSize?: number;
}

export async function openPostgresStore({ url, poolSize = 10 }: PostgresStoreOptions): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5000, idleTimeoutMillis: 30_000 });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it on next use.
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });

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

  async function connectListener(): Promise<void> {
    if (closed) return;
    const client = new pg.Client({ connectionString: url });
    client.on('notification', (message) => {
      const text = message.payload ?? '';
      const cut = text.indexOf('|');
      if (cut > 0) bus.emit('notification', text.slice(0, cut), text.slice(cut + 1));
    });
    client.on('error', () => {
      listenerClient = null;
      setTimeout(() => void connectListener().catch(() => undefined), 500).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
    listenerClient = client;
  }
  await connectListener();

  return {
    db,
    capabilities: { engine: 'postgres', sharedAcrossNodes: true },
    async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
      const callbacks: (() => void)[] = [];
      const result = await db.transaction().execute((trx) =>
        work({
          db: trx,
          afterCommit: (cb) => callbacks.push(cb),
          // NOTIFY inside a transaction is delivered by PostgreSQL at commit, and dropped on rollback.
          notify: async (channel, payload) => {
            await sql`SELECT pg_notify(${NOTIFY_CHANNEL}, ${`${channel}|${payload}`})`.execute(trx);
          },
        }),
      );
      for (const cb of callbacks) cb();
      return result;
    },
    async notify(channel, payload) {
      await sql`SELECT pg_notify(${NOTIFY_CHANNEL}, ${`${channel}|${payload}`})`.execute(db);
    },
    listen(listener: NotificationListener) {
      bus.on('notification', listener);
      return () => bus.off('notification', listener);
    },
    isUnavailableError(error) {
      const code = (error as { code?: string } | null)?.code;
      if (code && UNAVAILABLE_CODES.has(code)) return true;
      const message = (error as Error | null)?.message ?? '';
      return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message);
    },
    async close() {
      closed = true;
      bus.removeAllListeners();
      await listenerClient?.end().catch(() => undefined);
      await db.destroy();
    },
  };
}
