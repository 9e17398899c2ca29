import path from 'node:path';
import type { Store } from './store.js';
import { openSqliteStore } from './sqlite.js';
import { openPostgresStore } from './postgres.js';

/** PostgreSQL when a postgres:// URL is given, otherwise the embedded SQLite file in the data directory. */
export async function openStore(options: { databaseUrl?: string; dataDir: string }): Promise<Store> {
  if (options.databaseUrl && /^postgres(ql)?:\/\//.test(options.databaseUrl)) {
    return openPostgresStore({ url: options.databaseUrl });
  }
  return openSqliteStore({ file: path.join(options.dataDir, 'coffer.db') });
}
