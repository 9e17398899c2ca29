import type { Kysely, QueryResult } from 'kysely';
import type { Database } from './database.js';

/**
 * Runs one compiled statement at once, in the caller's own turn, without kysely's executor and connection queue.
 * Returns the result (a read), a promise of it (a write, settled once the write is durable), or undefined when the
 * statement cannot run now (the connection is inside another request's transaction): the caller then goes through
 * kysely as usual.
 */
export type DirectStatementRunner = <Row>(sql: string, parameters: readonly unknown[]) => QueryResult<Row> | Promise<QueryResult<Row>> | undefined;

/** Only a store's own top-level Kysely is here (never a transaction's): engines without such a runner are absent. */
const runners = new WeakMap<Kysely<Database>, DirectStatementRunner>();

/** Registers the engine's runner for the store's top-level Kysely (SQLite with group commit). */
export function runStatementsDirectly(db: Kysely<Database>, runner: DirectStatementRunner): void {
  runners.set(db, runner);
}

export function directRunnerOf(db: Kysely<Database>): DirectStatementRunner | undefined {
  return runners.get(db);
}
