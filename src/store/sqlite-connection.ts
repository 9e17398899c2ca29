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
  /** Bumped per table by every statement that may write it (see tablesVersion); '*' by anything that may undo writes. */
  readonly #writes = new Map<string, number>();
  /** While a statement is prepared: the tables SQLite's authorizer reports it may write. */
  #writtenTables: Set<string> | null = null;
  #dataVersion: StatementSync | null = null;
  #lastDataVersion = 0;
  /** Whether other connections' commits were looked for in this event-loop turn (see tablesVersion). */
  #dataVersionSeen = false;
  readonly #forgetDataVersion = () => {
    this.#dataVersionSeen = false;
  };
  #otherConnections = 0;

  constructor(file: string) {
    this.file = file;
    this.#db = translated(() => new DatabaseSync(file));
    // Called while statements are compiled (never when they run): notes the tables a statement may insert into,
    // update or delete from, foreign-key cascades and triggers included.
    this.#db.setAuthorizer((action, table) => {
      if (this.#writtenTables && table && (action === SQLITE_INSERT || action === SQLITE_UPDATE || action === SQLITE_DELETE)) this.#writtenTables.add(table);
      return SQLITE_OK;
    });
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
    this.#writtenTables = new Set();
    try {
      translated(() => this.#db.exec(sql));
    } finally {
      // Even a script that failed half-way may have written.
      this.wrote(this.#takeWrittenTables(sql));
    }
  }

  /** Sets a pragma, e.g. `pragma('journal_mode = WAL')`. */
  pragma(setting: string): void {
    this.exec(`PRAGMA ${setting}`);
  }

  prepare(sql: string): Statement {
    this.#writtenTables = new Set();
    let statement: StatementSync;
    try {
      statement = translated(() => this.#db.prepare(sql));
    } catch (error) {
      this.#takeWrittenTables(sql);
      throw error;
    }
    return new Statement(statement, sql, this.#takeWrittenTables(sql), this);
  }

  /**
   * A number that moves whenever a statement that may write one of `tables` has run on this connection, or a
   * rollback ran, or another connection (another process, another store on the same file) has committed anything
   * since the last call. While it stays the same, rows read from those tables are still what the database holds.
   * Other connections' commits are looked for once per event-loop turn (`PRAGMA data_version` costs as much as a
   * small query, and a request may ask several times): one that lands while a turn runs is seen from the next, as
   * if it had come a moment later.
   */
  tablesVersion(tables: readonly string[]): number {
    if (!this.#dataVersionSeen) {
      this.#dataVersionSeen = true;
      setImmediate(this.#forgetDataVersion);
      if (!this.#dataVersion) {
        this.#dataVersion = this.#db.prepare('PRAGMA data_version');
        this.#dataVersion.setReturnArrays(true);
      }
      const dataVersion = Number((this.#dataVersion.get() as unknown as [number])[0]);
      if (dataVersion !== this.#lastDataVersion) {
        this.#lastDataVersion = dataVersion;
        this.#otherConnections++;
      }
    }
    let version = this.#otherConnections + (this.#writes.get('*') ?? 0);
    for (const table of tables) version += this.#writes.get(table) ?? 0;
    return version;
  }

  /** Called after a statement ran that may have written `tables`. */
  wrote(tables: readonly string[]): void {
    for (const table of tables) this.#writes.set(table, (this.#writes.get(table) ?? 0) + 1);
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }

  #takeWrittenTables(sql: string): string[] {
    const written = [...(this.#writtenTables ?? [])];
    this.#writtenTables = null;
    // A rollback (to a savepoint, too) may bring back rows of any table.
    if (/^\s*rollback\b/i.test(sql)) written.push('*');
    return written;
  }
}

// SQLite's authorizer action codes and its "allow" answer.
const SQLITE_OK = 0;
const SQLITE_DELETE = 9;
const SQLITE_INSERT = 18;
const SQLITE_UPDATE = 23;

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
  /** Turns one row's values into an object keyed by column name. */
  readonly #row: (values: unknown[]) => Record<string, unknown>;
  /** Tables this statement may write (insert, update, delete), for SqliteConnection.tablesVersion. */
  readonly #writes: string[];
  readonly #connection: SqliteConnection;

  constructor(statement: StatementSync, sql: string, writes: string[], connection: SqliteConnection) {
    this.#statement = statement;
    this.#writes = writes;
    this.#connection = connection;
    this.#columns = statement.columns().map((column) => column.name);
    this.reader = this.#columns.length > 0;
    this.#row = rowBuilder(this.#columns);
    this.readonly = this.reader && /^\s*select\b/i.test(sql);
    if (this.reader) statement.setReturnArrays(true);
  }

  all(parameters: ReadonlyArray<unknown>): unknown[] {
    let rows: unknown[][];
    try {
      rows = translated(() => this.#statement.all(...(parameters as SQLInputValue[]))) as unknown as unknown[][];
    } finally {
      if (this.#writes.length > 0) this.#connection.wrote(this.#writes);
    }
    return rows.map(this.#row);
  }

  run(parameters: ReadonlyArray<unknown>): { changes: number | bigint; lastInsertRowid: number | bigint } {
    try {
      return translated(() => this.#statement.run(...(parameters as SQLInputValue[])));
    } finally {
      // Even a failed statement may have written some rows before failing.
      if (this.#writes.length > 0) this.#connection.wrote(this.#writes);
    }
  }

  *iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown> {
    yield* this.all(parameters);
  }
}

/** A BLOB as a Buffer (node:sqlite gives a bare Uint8Array); any other value as it is. */
function value(v: unknown): unknown {
  return v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v;
}

/**
 * A function that builds a row object from a statement's values. Rows of one statement always have the same
 * columns, so it is generated once per statement as one object literal, which V8 builds several times faster than
 * an object filled one property at a time (large list pages turn thousands of rows a second into objects).
 */
function rowBuilder(columns: string[]): (values: unknown[]) => Record<string, unknown> {
  // "__proto__" as a literal key would set the prototype instead of a property: such a statement is built slowly.
  if (columns.includes('__proto__')) {
    return (values) => {
      const row: Record<string, unknown> = {};
      for (let i = 0; i < values.length; i++) Object.defineProperty(row, columns[i]!, { value: value(values[i]), enumerable: true, writable: true, configurable: true });
      return row;
    };
  }
  // The column names are data, so each goes in as a JSON string literal (never as code).
  const body = columns.map((name, i) => `${JSON.stringify(name)}: value(v[${i}])`).join(', ');
  return new Function('value', `return (v) => ({ ${body} });`)(value) as (values: unknown[]) => Record<string, unknown>;
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
