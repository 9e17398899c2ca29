import { backup, DatabaseSync } from 'node:sqlite';

/**
 * A consistent copy of the SQLite database file `source` into `destination`, taken with SQLite's online backup API
 * (node:sqlite's `backup`): the server may keep writing meanwhile; the copy is the database as of one moment, WAL
 * included.
 */
export async function copySqliteDatabase(source: string, destination: string): Promise<void> {
  const connection = new DatabaseSync(source);
  try {
    connection.exec('PRAGMA busy_timeout = 5000');
    await backup(connection, destination);
  } finally {
    connection.close();
  }
}

/** The problems `PRAGMA integrity_check` finds in a database file (none: the file is whole). */
export function sqliteIntegrityProblems(file: string): string[] {
  const connection = new DatabaseSync(file, { readOnly: true });
  try {
    const rows = connection.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[];
    return rows.map((row) => row.integrity_check).filter((line) => line !== 'ok');
  } catch (error) {
    return [(error as Error).message];
  } finally {
    connection.close();
  }
}
