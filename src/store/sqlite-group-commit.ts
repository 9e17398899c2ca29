import type { SqliteConnection, Statement } from './sqlite-connection.js';
import { WalSync } from './sqlite-wal-sync.js';
import type { DirectStatementRunner } from './direct-statements.js';
import {
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type DialectAdapter,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
} from 'kysely';

/**
 * SQLite with group commit: durable without one fsync per request.
 *
 * Request transactions still run one at a time on the one connection, but each runs as a SAVEPOINT inside a shared
 * outer transaction. The outer transaction is committed once per event-loop turn (setImmediate), whenever no request
 * is between its SAVEPOINT and its RELEASE, so one fsync covers every request of that turn. The fsync of the
 * write-ahead log runs off the event loop (WalSync; the connection uses synchronous=NORMAL, which with that fsync
 * after each COMMIT is as durable as FULL). A request's `commitTransaction` resolves only after its batch's COMMIT
 * and fsync, so callers answer (and run their afterCommit work) only once their write is on disk. A failed request rolls back to its savepoint and leaves the others alone; a failed
 * outer COMMIT fails every request of the batch (none of them has been answered yet).
 *
 * A write outside a transaction (`store.db.insertInto(…)`) joins the current batch and also waits for its COMMIT.
 * Reads outside a transaction see the writes of requests that have finished but whose batch is not yet committed:
 * that is at most one event-loop turn, and they are lost only if the COMMIT itself fails (disk full, I/O error).
 */
export class GroupCommitSqliteDialect implements Dialect {
  readonly #database: SqliteConnection;
  #driver: GroupCommitSqliteDriver | null = null;

  constructor(database: SqliteConnection) {
    this.#database = database;
  }

  createDriver(): Driver {
    this.#driver = new GroupCommitSqliteDriver(this.#database, this.#database.memory ? null : new WalSync(this.#database.file));
    return this.#driver;
  }

  /**
   * Runs a statement of the Kysely made with this dialect at once when no request's transaction holds the
   * connection (DirectStatementRunner); a write joins the current batch and settles once that batch is durable.
   */
  readonly runNow: DirectStatementRunner = (sql, parameters) => this.#driver?.runNow(sql, parameters);

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new SqliteAdapter();
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the signature of Kysely's Dialect interface
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}

/** The outer transaction shared by several requests, and the promise they wait on. */
class Batch {
  readonly durable: Promise<void>;
  resolve!: () => void;
  reject!: (error: unknown) => void;

  constructor() {
    this.durable = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // Nobody may be waiting (e.g. only failed requests): a rejection must not go unhandled.
    this.durable.catch(() => undefined);
  }
}

/** One use of the connection, from acquireConnection to releaseConnection. */
class Lease implements DatabaseConnection {
  inRequest = false;
  released = false;

  constructor(private readonly driver: GroupCommitSqliteDriver) {}

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    return this.driver.execute<R>(this, compiledQuery);
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('Streaming is not supported by the SQLite store');
  }
}

const REQUEST_SAVEPOINT = 'coffer_request';
const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;
const STATEMENT_CACHE_SIZE = 500;
const BUSY_WAIT_MS = 5000;

class GroupCommitSqliteDriver implements Driver {
  readonly #db: SqliteConnection;
  readonly #walSync: WalSync | null;
  readonly #statements = new Map<string, Statement>();
  #queue: Promise<void> = Promise.resolve();
  #unlock: (() => void) | null = null;
  #batch: Batch | null = null;
  #requestOpen = false;
  #commitScheduled = false;
  #commitWhenIdle = false;

  constructor(db: SqliteConnection, walSync: WalSync | null) {
    this.#db = db;
    this.#walSync = walSync;
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.#queue;
    let unlock!: () => void;
    this.#queue = new Promise<void>((resolve) => (unlock = resolve));
    await previous;
    this.#unlock = unlock;
    return new Lease(this);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const lease = connection as Lease;
    await this.#openBatch();
    this.#control(`SAVEPOINT ${REQUEST_SAVEPOINT}`);
    lease.inRequest = true;
    this.#requestOpen = true;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const lease = connection as Lease;
    this.#control(`RELEASE ${REQUEST_SAVEPOINT}`);
    const batch = this.#batch;
    this.#endRequest(lease);
    // Let the next request in while this one waits for the batch's COMMIT.
    this.#release(lease);
    if (!batch) throw new Error('The shared SQLite transaction ended while a request was open');
    await batch.durable;
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const lease = connection as Lease;
    if (!lease.inRequest) return;
    if (this.#db.inTransaction) {
      this.#db.exec(`ROLLBACK TO ${REQUEST_SAVEPOINT}`);
      this.#db.exec(`RELEASE ${REQUEST_SAVEPOINT}`);
    } else {
      this.#loseBatch(new Error('SQLite rolled back the shared transaction'));
    }
    this.#endRequest(lease);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    this.#release(connection as Lease);
  }

  // Savepoints a caller opens inside its transaction nest inside the request's own savepoint.
  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    this.#db.exec(`SAVEPOINT ${quoted(name)}`);
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    this.#db.exec(`ROLLBACK TO ${quoted(name)}`);
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    this.#db.exec(`RELEASE ${quoted(name)}`);
  }

  async destroy(): Promise<void> {
    this.#commitNow();
    await this.#walSync?.close();
    this.#statements.clear();
    if (this.#db.open) this.#db.close();
  }

  async execute<R>(lease: Lease, compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    // A write outside a transaction lets the connection go before its batch commits (below): the lease is done.
    if (lease.released) throw new Error('The SQLite store runs one statement per connection lease outside transactions');
    const statement = this.#prepare(compiledQuery.sql);
    const parameters = compiledQuery.parameters as unknown[];
    const joinsBatch = !lease.inRequest && !statement.readonly;
    if (joinsBatch) await this.#openBatch();
    const batch = this.#batch;
    const result = this.#run<R>(statement, parameters);
    if (joinsBatch && batch) {
      this.#scheduleCommit();
      // Like a request's commit: the next user of the connection need not wait for this batch's fsync.
      this.#release(lease);
      await batch.durable;
    }
    return result;
  }

  /**
   * A statement outside any request's transaction, run at once in the caller's turn: undefined while a request holds
   * the connection (its transaction is open, and nobody else may see or join its uncommitted work), or while another
   * connection holds the write lock that a write needs. Reads answer at once; a write joins the current batch, like
   * a write through `execute`, but without holding the connection while its batch commits.
   */
  runNow<R>(sql: string, parameters: readonly unknown[]): QueryResult<R> | Promise<QueryResult<R>> | undefined {
    if (this.#unlock || !this.#db.open) return undefined;
    const statement = this.#prepare(sql);
    if (statement.readonly) return this.#run<R>(statement, parameters);
    if (!this.#batch && this.#tryOpenBatch() !== null) return undefined;
    const batch = this.#batch!;
    const result = this.#run<R>(statement, parameters);
    this.#scheduleCommit();
    return batch.durable.then(() => result);
  }

  #run<R>(statement: Statement, parameters: readonly unknown[]): QueryResult<R> {
    try {
      if (statement.reader) return { rows: statement.all(parameters) as R[] };
      const { changes, lastInsertRowid } = statement.run(parameters);
      return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
    } catch (error) {
      if (this.#batch && !this.#db.inTransaction) this.#loseBatch(error);
      throw error;
    }
  }

  /** Transaction control and settings, run often: prepared once like any other statement, not parsed every time. */
  #control(text: string): void {
    this.#prepare(text).run([]);
  }

  #prepare(text: string): Statement {
    let statement = this.#statements.get(text);
    if (!statement) {
      statement = this.#db.prepare(text);
      if (this.#statements.size >= STATEMENT_CACHE_SIZE) this.#statements.delete(this.#statements.keys().next().value!);
      this.#statements.set(text, statement);
    }
    return statement;
  }

  /**
   * Opens the shared transaction. Another process (or another store on the same file) may hold the write lock:
   * wait for it without blocking the event loop, which the holder may need in order to commit.
   */
  async #openBatch(): Promise<void> {
    const deadline = Date.now() + BUSY_WAIT_MS;
    while (!this.#batch) {
      const busy = this.#tryOpenBatch();
      if (busy === null) return;
      if (Date.now() > deadline) throw busy;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  /** Opens the shared transaction without waiting: null when opened, or the SQLITE_BUSY error of a lock held elsewhere. */
  #tryOpenBatch(): unknown {
    try {
      this.#control('PRAGMA busy_timeout = 0');
      this.#control('BEGIN IMMEDIATE');
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
      return error;
    } finally {
      this.#control(`PRAGMA busy_timeout = ${BUSY_WAIT_MS}`);
    }
    this.#batch = new Batch();
    this.#scheduleCommit();
    return null;
  }

  #endRequest(lease: Lease): void {
    lease.inRequest = false;
    this.#requestOpen = false;
    if (this.#commitWhenIdle) {
      this.#commitWhenIdle = false;
      this.#commitNow();
    }
  }

  #release(lease: Lease): void {
    if (lease.released) return;
    lease.released = true;
    const unlock = this.#unlock;
    this.#unlock = null;
    unlock?.();
  }

  #scheduleCommit(): void {
    if (this.#commitScheduled) return;
    this.#commitScheduled = true;
    setImmediate(() => this.#commitOnceDiskIsFree());
  }

  /**
   * While the previous batch's fsync runs, this batch stays open and keeps taking requests: one COMMIT (one write of
   * the changed pages to the log) per fsync rather than one per event-loop turn. Its requests would wait for that
   * fsync to end either way, since the log is flushed one fsync at a time.
   */
  #commitOnceDiskIsFree(): void {
    if (this.#walSync?.syncing) {
      this.#walSync.whenIdle(() => this.#commitOnceDiskIsFree());
      return;
    }
    this.#commitScheduled = false;
    if (this.#requestOpen) this.#commitWhenIdle = true;
    else this.#commitNow();
  }

  #commitNow(): void {
    const batch = this.#batch;
    if (!batch) return;
    this.#batch = null;
    try {
      this.#control('COMMIT');
    } catch (error) {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      this.#db.wrote(['*']);
      batch.reject(error);
      return;
    }
    if (!this.#walSync) batch.resolve();
    else this.#walSync.afterCommit().then(batch.resolve, batch.reject);
  }

  #loseBatch(error: unknown): void {
    // SQLite rolled the batch back on its own: rows of any table may be as they were before it.
    this.#db.wrote(['*']);
    const batch = this.#batch;
    this.#batch = null;
    batch?.reject(error);
  }
}
