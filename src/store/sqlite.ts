import { isStoreClosedError } from './store-closed.js';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './database.js';
import { migrate } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';
import { SqliteConnection } from './sqlite-connection.js';
import { GroupCommitSqliteDialect } from './sqlite-group-commit.js';
import { runStatementsDirectly } from './direct-statements.js';
import type { NotificationListener, Store, Tx } from './store.js';

export interface SqliteStoreOptions {
  /** File path, or ':memory:' for a throwaway database. */
  file: string;
  /** Commit the transactions of one event-loop turn together, with one fsync (default true). */
  groupCommit?: boolean;
}

export async function openSqliteStore({ file, groupCommit = true }: SqliteStoreOptions): Promise<Store> {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const connection = new SqliteConnection(file);
  // First, so that every later step (switching to WAL included) waits for another process instead of failing.
  connection.pragma('busy_timeout = 5000');
  connection.pragma('journal_mode = WAL');
  // Every acknowledged commit is durable: FULL fsyncs the WAL inside each COMMIT; with group commit the store fsyncs
  // the WAL itself after each batch's COMMIT, off the event loop (see WalSync), so NORMAL is as durable.
  connection.pragma(groupCommit && file !== ':memory:' ? 'synchronous = NORMAL' : 'synchronous = FULL');
  connection.pragma('foreign_keys = ON');
  const dialect = groupCommit ? new GroupCommitSqliteDialect(connection) : new SqliteDialect({ database: connection });
  const db = new Kysely<Database>({ dialect });
  if (dialect instanceof GroupCommitSqliteDialect) runStatementsDirectly(db, dialect.runNow);
  await migrate(db, 'sqlite', MIGRATIONS);

  const bus = new EventEmitter();
  bus.setMaxListeners(0);

  return {
    db,
    capabilities: { engine: 'sqlite', sharedAcrossNodes: false, commitOrder: 'single-writer', groupCommit },
    tablesVersion: (tables) => connection.tablesVersion(tables),
    async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
      const callbacks: (() => void)[] = [];
      const result = await db.transaction().execute((trx) =>
        work({
          db: trx,
          afterCommit: (cb) => callbacks.push(cb),
          notify: async (channel, payload) => {
            callbacks.push(() => bus.emit('notification', channel, payload));
          },
        }),
      );
      for (const cb of callbacks) cb();
      return result;
    },
    async notify(channel, payload) {
      bus.emit('notification', channel, payload);
    },
    listen(listener: NotificationListener) {
      bus.on('notification', listener);
      return () => bus.off('notification', listener);
    },
    isUnavailableError(error) {
      const code = (error as { code?: string } | null)?.code;
      return code === 'SQLITE_BUSY' || code === 'SQLITE_IOERR' || code === 'SQLITE_FULL' || code === 'SQLITE_CANTOPEN' || isStoreClosedError(error);
    },
    async close() {
      bus.removeAllListeners();
      await db.destroy();
    },
  };
}
