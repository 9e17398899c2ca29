import { conflict } from '../errors/app-error.js';
import type { Database } from './database.js';
import type { Store, Tx } from './store.js';

/** Tables whose rows carry a `version_no` that every change of the row raises by one. */
export type VersionedTable = { [T in keyof Database]: Database[T] extends { version_no: number; id: string } ? T : never }[keyof Database];

/**
 * How concurrent writers of one row are kept from losing each other's changes. Each resource names its rule once,
 * where it calls compareAndSet:
 * - 'optimistic': read without a lock, write where `version_no` still matches; when another writer got there first,
 *   read again and judge the request again on the new row, up to MAX_ATTEMPTS times. Concurrent requests then end
 *   as if they had come one at a time. For rows that rarely see two writers at once (a job: its own agent reports).
 * - 'row-lock': take the row's write lock before reading (a no-op UPDATE; PostgreSQL queues the others behind it,
 *   SQLite has one writer anyway), so the version always matches and nobody retries. For rows that many writers
 *   change at the same moment (a task's metadata), where optimistic retries would run out.
 */
export type ConcurrencyRule = 'optimistic' | 'row-lock';

export interface Versioned {
  id: string;
  version: number;
}

/** What a request decided on the row it was judged against: nothing to write, or columns to write. */
export type Decision<Result> =
  | { write: false; result: Result }
  | {
      write: true;
      /** Columns to set (`version_no` is raised by the helper). */
      set: Record<string, unknown>;
      /** Work in the same transaction once the row is written (events, dependent rows); its value is the result. */
      after(tx: Tx, version: number): Promise<Result>;
    };

export interface CompareAndSetSpec<Row extends Versioned, Result> {
  table: VersionedTable;
  id: string;
  /** Names the row in the 409 when the attempts run out ("job", "task"). */
  noun: string;
  rule: ConcurrencyRule;
  /** Reads the row inside the transaction. */
  read(tx: Tx): Promise<Row>;
  /** Judges the request on `row`: throws a refusal, or decides. Must not write. */
  decide(row: Row): Decision<Result>;
  /**
   * The row as the request already read it (optimistic rule only): the first attempt writes against it without
   * reading again. Only a write can be decided on it; a refusal or "nothing to write" is judged again on a fresh
   * read, since the row may have moved on since the request read it.
   */
  known?: Row;
}

export const MAX_ATTEMPTS = 8;

const NOT_WRITTEN = Symbol('version moved');

/** Read, decide, write where the version matches, retry on a fresh read: one mechanism for every versioned row. */
export async function compareAndSet<Row extends Versioned, Result>(store: Store, spec: CompareAndSetSpec<Row, Result>): Promise<Result> {
  let known = spec.rule === 'optimistic' ? spec.known : undefined;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const outcome = await store.transaction(async (tx) => {
      const { row, decision } = await judge(tx, spec, known);
      known = undefined;
      if (!decision.write) return decision.result;
      if (!(await writeIfVersion(tx, spec.table, row, decision.set))) return NOT_WRITTEN;
      return decision.after(tx, row.version + 1);
    });
    if (outcome !== NOT_WRITTEN) return outcome as Result;
  }
  throw conflict(`The ${spec.noun} is being changed by several writers at once; try again.`);
}

async function judge<Row extends Versioned, Result>(tx: Tx, spec: CompareAndSetSpec<Row, Result>, known: Row | undefined): Promise<{ row: Row; decision: Decision<Result> }> {
  if (known) {
    try {
      const decision = spec.decide(known);
      if (decision.write) return { row: known, decision };
    } catch {
      // Judged again below, on the row as it is now.
    }
  }
  if (spec.rule === 'row-lock') await lockRow(tx, spec.table, spec.id);
  const row = await spec.read(tx);
  return { row, decision: spec.decide(row) };
}

/** Writes `set` and the next version where the row still has `row.version`; false when another writer got there first. */
export async function writeIfVersion(tx: Tx, table: VersionedTable, row: Versioned, set: Record<string, unknown>): Promise<boolean> {
  const result = await tx.db
    .updateTable(table as 'jobs')
    .set({ ...set, version_no: row.version + 1 })
    .where('id', '=', row.id)
    .where('version_no', '=', row.version)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** A no-op UPDATE takes the row's write lock until the transaction ends (PostgreSQL; SQLite has one writer). */
export async function lockRow(tx: Tx, table: VersionedTable, id: string): Promise<void> {
  await tx.db
    .updateTable(table as 'jobs')
    .set((eb) => ({ version_no: eb.ref('version_no') }))
    .where('id', '=', id)
    .execute();
}
