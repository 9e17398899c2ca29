import { sql, type RawBuilder } from 'kysely';
import type { Engine } from './store.js';

/**
 * How a reader paging a stream by marker (events, job lists) never skips a row that commits late.
 *
 * Rows carry `commit_tx`, the id of the transaction that inserted them, and streams are ordered by
 * (`commit_tx`, id). PostgreSQL hands out ids before commit, so transactions commit in any order; but every
 * transaction still running, or yet to start, has a transaction id at or above the oldest one still in progress
 * (`pg_snapshot_xmin` of the reader's snapshot, the commit horizon). A reader returns only rows below the horizon,
 * taken in the same statement as the rows, so everything that can still commit sorts after everything it returned:
 * the next page, from the last row's position, finds it. Rows at or above the horizon are held back until the
 * transactions below them end; a long poll that finds only such rows looks again shortly (no notification says
 * when an older transaction ends).
 *
 * SQLite has one writer that commits in id order: `commit_tx` is 0 everywhere and every row is settled.
 *
 * The horizon is the whole PostgreSQL cluster's: a transaction that keeps a transaction id for long (in any
 * database of the server, or a prepared transaction) holds back new rows until it ends.
 */
export interface StreamPosition {
  commitTx: number;
  id: number;
}

/** SQL true for the rows whose writing transaction can no longer be overtaken (see above). */
export function settledSql(engine: Engine): RawBuilder<boolean> {
  return engine === 'postgres' ? sql<boolean>`(commit_tx < pg_snapshot_xmin(pg_current_snapshot())::text::bigint)` : sql<boolean>`(1 = 1)`;
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
