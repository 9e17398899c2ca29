import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * One SQLite connection through Node's built-in `node:sqlite`, shaped like the database kysely's SQLite dialect
 * drives (`prepare` → `reader`, `all`, `run`, `iterate`), so both the plain dialect and the group-commit one use it.
 *
 * What it evens out: rows come back as ordinary objects with BLOBs as Buffers (node:sqlite gives null-prototype
 * objects and bare Uint8Arrays), and errors carry SQLite's primary result code by name in `code`
 * (`SQLITE_BUSY`, `SQLITE_CONSTRAINT`, …; node:sqlite puts `ERR_SQLITE_ERROR` there and the number in `errcode`).
 */
export class SqliteConnection implements SqliteDatabase {
  readonly #db: DatabaseSync;
  /** The path given, or ':memory:'. */
  readonly file: string;

  constructor(file: string) {
    this.file = file;
    this.#db = translated(() => new DatabaseSync(file));
  }

  get memory(): boolean {
    return this.file === ':memory:';
  }

  get open(): boolean {
    return this.#db.isOpen;
  }

  get inTransaction(): boolean {
    return this.#db.isTransaction;
  }

  exec(sql: string): void {
    translated(() => this.#db.exec(sql));
  }

  /** Sets a pragma, e.g. `pragma('journal_mode = WAL')`. */
  pragma(setting: string): void {
    this.exec(`PRAGMA ${setting}`);
  }

  prepare(sql: string): Statement {
    return new Statement(translated(() => this.#db.prepare(sql)), sql);
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}

export class Statement implements SqliteStatement {
  /** Returns rows (a SELECT, or a write with RETURNING). */
  readonly reader: boolean;
  /**
   * Cannot change the database. node:sqlite does not expose sqlite3_stmt_readonly, so this is judged from the
   * text and errs towards "writes": only a statement whose first keyword is SELECT counts as read-only.
   */
  readonly readonly: boolean;
  readonly #statement: StatementSync;
  readonly #columns: string[];

  constructor(statement: StatementSync, sql: string) {
    this.#statement = statement;
    this.#columns = statement.columns().map((column) => column.name);
    this.reader = this.#columns.length > 0;
    this.readonly = this.reader && /^\s*select\b/i.test(sql);
    if (this.reader) statement.setReturnArrays(true);
  }

  all(parameters: ReadonlyArray<unknown>): unknown[] {
    const rows = translated(() => this.#statement.all(...(parameters as SQLInputValue[]))) as unknown as unknown[][];
    return rows.map((values) => this.#row(values));
  }

  run(parameters: ReadonlyArray<unknown>): { changes: number | bigint; lastInsertRowid: number | bigint } {
    return translated(() => this.#statement.run(...(parameters as SQLInputValue[])));
  }

  *iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown> {
    yield* this.all(parameters);
  }

  #row(values: unknown[]): Record<string, unknown> {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      row[this.#columns[i]!] = value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : value;
    }
    return row;
  }
}

/** SQLite's primary result codes (the low byte of an extended code), by number. */
const PRIMARY_CODES: Record<number, string> = {
  1: 'ERROR',
  2: 'INTERNAL',
  3: 'PERM',
  4: 'ABORT',
  5: 'BUSY',
  6: 'LOCKED',
  7: 'NOMEM',
  8: 'READONLY',
  9: 'INTERRUPT',
  10: 'IOERR',
  11: 'CORRUPT',
  12: 'NOTFOUND',
  13: 'FULL',
  14: 'CANTOPEN',
  15: 'PROTOCOL',
  16: 'EMPTY',
  17: 'SCHEMA',
  18: 'TOOBIG',
  19: 'CONSTRAINT',
  20: 'MISMATCH',
  21: 'MISUSE',
  22: 'NOLFS',
  23: 'AUTH',
  24: 'FORMAT',
  25: 'RANGE',
  26: 'NOTADB',
};

function translated<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    const sqliteError = error as { code?: string; errcode?: unknown };
    if (sqliteError?.code === 'ERR_SQLITE_ERROR' && typeof sqliteError.errcode === 'number') {
      sqliteError.code = `SQLITE_${PRIMARY_CODES[sqliteError.errcode & 0xff] ?? sqliteError.errcode}`;
    }
    throw error;
  }
}
