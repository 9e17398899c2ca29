import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from './database.js';
import type { Engine } from './store.js';

/**
 * How a reader paging a stream by marker (events, job lists) never skips a row that commits late.
 *
 * Rows carry `commit_tx`, the id of the transaction that inserted them, and streams are ordered by
 * (`commit_tx`, id). PostgreSQL hands out ids before commit, so transactions commit in any order; but every
 * transaction still running, or yet to start, has a transaction id at or above the oldest one still in progress
 * (the commit horizon). A reader returns only rows below the horizon, so everything that can still commit sorts
 * after everything it returned: the next page, from the last row's position, finds it. Rows at or above the horizon
 * are held back until the transactions below them end; a long poll that finds only such rows looks again shortly
 * (no notification says when an older transaction ends).
 *
 * The horizon is this database's, not the server's: transaction ids are shared by every database of a PostgreSQL
 * server, and a transaction left open in another database (another application, a forgotten psql session) would
 * otherwise hold back every new event and job here for as long as it stays open, agents' event polls included. So
 * `readCommitHorizon` takes, in one statement, a snapshot and the transaction ids that backends connected to this
 * database (and transactions prepared in it) hold, and keeps the snapshot's in-progress ids that are among them; the
 * horizon is the lowest of those, or the snapshot's xmax when none. It is read in a statement of its own BEFORE the
 * rows (READ COMMITTED: a later statement, a later snapshot): a transaction running when the rows are read either
 * ran when the horizon was read, and then held its id in a backend of this database (counted), or got its id
 * afterwards (at or above xmax). One still running at the horizon's snapshot that ended before the activity was
 * looked at has committed before the rows' snapshot, so its rows are read. A transaction that keeps an id for long
 * in THIS database still holds back new rows until it ends.
 *
 * SQLite has one writer that commits in id order: `commit_tx` is 0 everywhere and every row is settled.
 */
export interface StreamPosition {
  commitTx: number;
  id: number;
}

/** Rows whose `commit_tx` is below it are settled; null: every row is (SQLite). */
export type CommitHorizon = number | null;

/**
 * This database's commit horizon (see above), read before the rows it guards. Inside a transaction PostgreSQL keeps
 * its first look at the backends until the transaction ends, so there it is thrown away first (a statement outside
 * one is a transaction of its own and looks afresh).
 */
export async function readCommitHorizon(db: Kysely<Database>, engine: Engine): Promise<CommitHorizon> {
  if (engine !== 'postgres') return null;
  if (db.isTransaction) await sql`SELECT pg_stat_clear_snapshot()`.execute(db);
  const { rows } = await sql<{ horizon: string }>`
    WITH snap AS (SELECT pg_current_snapshot() AS s),
    here AS (
      SELECT backend_xid::text::bigint AS xid FROM pg_stat_activity WHERE datname = current_database() AND backend_xid IS NOT NULL
      UNION ALL
      SELECT transaction::text::bigint FROM pg_prepared_xacts WHERE database = current_database()
    )
    SELECT LEAST(
      (SELECT pg_snapshot_xmax(s)::text::bigint FROM snap),
      (SELECT min(x::text::bigint) FROM snap, pg_snapshot_xip(s) AS x WHERE x::text::bigint % 4294967296 IN (SELECT xid FROM here))
    )::text AS horizon`.execute(db);
  return Number(rows[0]!.horizon);
}

/** SQL true for the rows whose writing transaction can no longer be overtaken (see above). */
export function settledSql(horizon: CommitHorizon): RawBuilder<boolean> {
  return horizon === null ? sql<boolean>`(1 = 1)` : sql<boolean>`(commit_tx < ${String(horizon)}::bigint)`;
}

/** SQL true for the rows after `position` in the stream order (`before` for descending pages). */
export function beyondSql(position: StreamPosition, idColumn: string, direction: 'asc' | 'desc'): RawBuilder<boolean> {
  const row = sql`(commit_tx, ${sql.ref(idColumn)})`;
  const at = sql`(${position.commitTx}, ${position.id})`;
  return direction === 'asc' ? sql<boolean>`${row} > ${at}` : sql<boolean>`${row} < ${at}`;
}

/** The order of a stream, for ORDER BY. */
export function streamOrderSql(idColumn: string, direction: 'asc' | 'desc'): RawBuilder<unknown> {
  return direction === 'asc' ? sql`commit_tx ASC, ${sql.ref(idColumn)} ASC` : sql`commit_tx DESC, ${sql.ref(idColumn)} DESC`;
}

/**
 * An ascending page read with `settled` beside each row: the rows before the first unsettled one (everything after
 * it sorts after it too), and whether any was held back.
 */
export function cutAtHorizon<Row extends { settled: unknown }>(rows: Row[]): { rows: Row[]; held: boolean } {
  const cut = rows.findIndex((row) => !isTrue(row.settled));
  return cut < 0 ? { rows, held: false } : { rows: rows.slice(0, cut), held: true };
}

function isTrue(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't';
}
