import SqliteDatabase from 'better-sqlite3';

/**
 * A consistent copy of the SQLite database file `source` into `destination`, taken with SQLite's online backup API:
 * the server may keep writing meanwhile; the copy is the database as of one moment, WAL included.
 */
export async function copySqliteDatabase(source: string, destination: string): Promise<void> {
  const connection = new SqliteDatabase(source, { fileMustExist: true });
  try {
    connection.pragma('busy_timeout = 5000');
    await connection.backup(destination);
  } finally {
    connection.close();
  }
}

/** The problems `PRAGMA integrity_check` finds in a database file (none: the file is whole). */
export function sqliteIntegrityProblems(file: string): string[] {
  const connection = new SqliteDatabase(file, { fileMustExist: true, readonly: true });
  try {
    const rows = connection.pragma('integrity_check') as { integrity_check: string }[];
    return rows.map((row) => row.integrity_check).filter((line) => line !== 'ok');
  } finally {
    connection.close();
  }
}
