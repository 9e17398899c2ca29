import { sql, type Compilable, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from './database.js';
import { PrecompiledQuery } from './precompiled-query.js';

interface Pending<Row> {
  waiters: Map<string, { resolve: (row: Row | undefined) => void; reject: (error: unknown) => void }[]>;
}

/** Top-level Kyselys of stores whose statements cost a round trip each (PostgreSQL); never a transaction's. */
const batchingDatabases = new WeakSet<Kysely<Database>>();

/**
 * Lookups (BatchedLookup) and compare-and-set updates (batched-updates.ts) on `db` are gathered per event-loop turn
 * and run together (PostgreSQL stores register theirs).
 */
export function batchStatementsOn(db: Kysely<Database>): void {
  batchingDatabases.add(db);
}

export function batchesStatements(db: Kysely<Database>): boolean {
  return batchingDatabases.has(db);
}

/**
 * A read of at most one row by a unique key that every request runs (the token's row, the job of a report). On a
 * store whose statements each cost a round trip, the lookups started in one event-loop turn, by any number of
 * concurrent requests, are read in one statement (`key = ANY(keys)`), so a busy node pays one round trip for all
 * of them instead of one each. Each lookup is answered with the row of its own key.
 *
 * A lookup is never answered from an older snapshot than it would have been alone: the batch's statement is sent
 * after every lookup in it was started. Inside a transaction, and on SQLite, each lookup is read on its own.
 */
export class BatchedLookup<Row extends Record<string, unknown>> {
  readonly #one: PrecompiledQuery<Row, [string]>;
  readonly #many: PrecompiledQuery<Row, [string[]]>;
  readonly #pending = new WeakMap<Kysely<Database>, Pending<Row>>();

  constructor(
    /** The key's column as the rows name it (it must be selected). */
    private readonly keyColumn: keyof Row & string,
    /** The key's column in SQL (qualified when the query joins). */
    keySql: string,
    /** The query, restricted to the wanted keys by `where(keyMatches)`. */
    build: (db: Kysely<Database>, keyMatches: RawBuilder<boolean>) => Compilable<Row>,
  ) {
    this.#one = new PrecompiledQuery(1, (db, $) => build(db, sql<boolean>`${sql.ref(keySql)} = ${$(0)}`));
    this.#many = new PrecompiledQuery(1, (db, $) => build(db, sql<boolean>`${sql.ref(keySql)} = ANY(${$(0)})`));
  }

  async first(db: Kysely<Database>, key: string): Promise<Row | undefined> {
    if (!batchingDatabases.has(db)) return this.#one.first(db, key);
    let pending = this.#pending.get(db);
    if (!pending) {
      pending = { waiters: new Map() };
      this.#pending.set(db, pending);
      const batch = pending;
      setImmediate(() => {
        this.#pending.delete(db);
        void this.#read(db, batch);
      });
    }
    const waiters = pending.waiters.get(key) ?? [];
    pending.waiters.set(key, waiters);
    return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
  }

  async #read(db: Kysely<Database>, batch: Pending<Row>): Promise<void> {
    const keys = [...batch.waiters.keys()];
    try {
      const rows = keys.length === 1 ? (await this.#one.execute(db, keys[0]!)).rows : (await this.#many.execute(db, keys)).rows;
      const byKey = new Map<unknown, Row>();
      for (const row of rows) byKey.set(row[this.keyColumn], row);
      for (const [key, waiters] of batch.waiters) for (const waiter of waiters) waiter.resolve(byKey.get(key));
    } catch (error) {
      for (const waiters of batch.waiters.values()) for (const waiter of waiters) waiter.reject(error);
    }
  }
}
