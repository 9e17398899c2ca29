import { CompiledQuery, PostgresDialect, PostgresDriver, type DatabaseConnection, type Driver, type PostgresDialectConfig, type TransactionSettings } from 'kysely';
import pg from 'pg';

/**
 * The pool's connections: prepared statements for the statements Coffer runs over and over, and pipelining, so a
 * transaction's BEGIN travels with its first statement instead of costing a round trip of its own.
 */

/** A statement text becomes a named prepared statement once it has run this often (one-off statements never do). */
const PREPARE_AFTER_RUNS = 3;
/** At most this many texts are named per process; the statements each connection prepares stay in PostgreSQL. */
const MAX_PREPARED_TEXTS = 256;
/** Texts being counted before they are named; the count starts over when dynamic texts would fill it. */
const MAX_COUNTED_TEXTS = 4096;

const runs = new Map<string, number>();
const names = new Map<string, string>();
/**
 * Raised when PostgreSQL refuses a prepared statement whose result columns changed under it (a migration run by a
 * newer node): every name changes, so each connection prepares afresh.
 */
let generation = 0;

/** The statement's name when it is run often enough to be kept prepared; undefined: run it unnamed. */
function preparedName(text: string): string | undefined {
  const known = names.get(text);
  if (known !== undefined) return known;
  if (names.size >= MAX_PREPARED_TEXTS) return undefined;
  const count = (runs.get(text) ?? 0) + 1;
  if (count < PREPARE_AFTER_RUNS) {
    if (runs.size >= MAX_COUNTED_TEXTS) runs.clear();
    runs.set(text, count);
    return undefined;
  }
  runs.delete(text);
  const name = `coffer_${generation}_${names.size}`;
  names.set(text, name);
  return name;
}

/** "cached plan must not change result type": the prepared statement predates a change of its table. */
function isStalePlan(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === '0A000' && /cached plan must not change result type/.test(String((error as Error).message));
}

function forgetPreparedStatements(): void {
  generation++;
  names.clear();
  runs.clear();
}

/**
 * A pg client that runs parameterised statements seen often as named prepared statements: PostgreSQL parses and
 * plans them once per connection, and the Parse message is not sent again. Everything else goes through unchanged.
 */
export class PreparingClient extends pg.Client {
  /** BEGIN is buffered until the next statement is written with it (see PipelinedBeginDialect). */
  #holdingBegin = false;

  // pg's own overloads are many; kysely calls query(text, values) and awaits the promise.
  override query(...args: unknown[]): never {
    if (args[0] === 'begin' && this.pipeline) return this.#begin(args);
    try {
      return this.#query(args);
    } finally {
      this.#releaseHeldWrites();
    }
  }

  /**
   * Writes BEGIN into a buffer that the next statement's write empties, so a transaction's BEGIN and first
   * statement reach the server in one write and are read in one wake-up.
   */
  #begin(args: unknown[]): never {
    const stream = (this as unknown as { connection: { stream: { cork?(): void } } }).connection.stream;
    if (this.#holdingBegin || !stream.cork) return (super.query as (...a: unknown[]) => never)(...args);
    stream.cork();
    this.#holdingBegin = true;
    // Should no statement follow in this turn, the next one (COMMIT at the latest) or this sends it.
    setImmediate(() => this.#releaseHeldWrites());
    return (super.query as (...a: unknown[]) => never)(...args);
  }

  #releaseHeldWrites(): void {
    if (!this.#holdingBegin) return;
    this.#holdingBegin = false;
    (this as unknown as { connection: { stream: { uncork?(): void } } }).connection.stream.uncork?.();
  }

  #query(args: unknown[]): never {
    const [config, values, callback] = args;
    const name = typeof config === 'string' && Array.isArray(values) && values.length > 0 && callback === undefined ? preparedName(config) : undefined;
    if (name === undefined) return (super.query as (...a: unknown[]) => never)(...args);
    const run = (super.query as (c: pg.QueryConfig) => Promise<pg.QueryResult>).bind(this);
    return run({ name, text: config as string, values: values as unknown[] }).catch((error: unknown) => {
      if (!isStalePlan(error)) throw error;
      forgetPreparedStatements();
      // Inside a transaction the error has aborted it: the caller's transaction fails (and may be retried whole).
      if (this.getTransactionStatus() !== 'I') throw error;
      return run({ text: config as string, values: values as unknown[] });
    }) as never;
  }
}

/**
 * kysely's PostgreSQL dialect, but BEGIN is not waited for: on a pipelining connection it is written and the first
 * statement of the transaction follows it at once, so both are answered in one round trip. Its result is checked
 * before COMMIT. (BEGIN on a healthy connection that is in no transaction cannot fail; if the connection breaks,
 * the statements behind it fail as well.)
 */
export class PipelinedBeginDialect extends PostgresDialect {
  constructor(private readonly dialectConfig: PostgresDialectConfig) {
    super(dialectConfig);
  }

  override createDriver(): Driver {
    return new PipelinedBeginDriver(this.dialectConfig);
  }
}

class PipelinedBeginDriver extends PostgresDriver {
  readonly #begins = new WeakMap<DatabaseConnection, Promise<unknown>>();

  override async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    if (settings.isolationLevel || settings.accessMode) return super.beginTransaction(connection, settings);
    const begun = connection.executeQuery(CompiledQuery.raw('begin'));
    begun.catch(() => undefined); // looked at before COMMIT
    this.#begins.set(connection, begun);
  }

  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await this.#settleBegin(connection);
    await super.commitTransaction(connection);
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await this.#settleBegin(connection).catch(() => undefined);
    await super.rollbackTransaction(connection as Parameters<PostgresDriver['rollbackTransaction']>[0]);
  }

  async #settleBegin(connection: DatabaseConnection): Promise<void> {
    const begun = this.#begins.get(connection);
    if (!begun) return;
    this.#begins.delete(connection);
    await begun;
  }
}
