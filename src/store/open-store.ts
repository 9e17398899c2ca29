import path from 'node:path';
import type { Store } from './store.js';
import { openSqliteStore } from './sqlite.js';
import { openPostgresStore } from './postgres.js';

export interface OpenStoreOptions {
  databaseUrl?: string;
  dataDir: string;
  /** SQLite only: share one durable commit between the requests of an event-loop turn (default true). */
  groupCommit?: boolean;
  /** PostgreSQL only: connections in this node's pool (default 10). */
  poolSize?: number;
}

/** PostgreSQL when a postgres:// URL is given, otherwise the embedded SQLite file in the data directory. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  if (options.databaseUrl && /^postgres(ql)?:\/\//.test(options.databaseUrl)) {
    return openPostgresStore({ url: options.databaseUrl, poolSize: options.poolSize });
  }
  return openSqliteStore({ file: path.join(options.dataDir, 'coffer.db'), groupCommit: options.groupCommit });
}
