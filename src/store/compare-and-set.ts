import { sql, type Insertable, type Kysely } from 'kysely';
import { conflict } from '../errors/app-error.js';
import type { Database, EventsTable } from './database.js';
import { batchesStatements } from './batched-lookup.js';
import { updateInBatch } from './batched-updates.js';
import { PrecompiledQuery } from './precompiled-query.js';
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

/** An event written with a change: its row, and the notification that wakes long polls once it commits. */
export interface EventWrite {
  values: Insertable<EventsTable> & { time: string };
  notify: { channel: string; payload: string } | undefined;
}

/** What a request decided on the row it was judged against: nothing to write, or columns to write. */
export type Decision<Result> =
  | { write: false; result: Result }
  | {
      write: true;
      /** Columns to set (`version_no` is raised by the helper). */
      set: Record<string, unknown>;
      /** The event the change records, written in the same transaction. */
      event?: EventWrite;
      /**
       * Further writes in the same transaction (dependent rows, more events). A change without them can be written
       * in a single statement on PostgreSQL: one round trip instead of BEGIN, UPDATE, INSERT, COMMIT.
       */
      after?(tx: Tx, version: number): Promise<void>;
      /** The request's answer once the row has `version`. */
      result(version: number): Result;
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
    let outcome: Result | typeof NOT_WRITTEN;
    const decision = known && decideOrUndefined(spec, known);
    const row = known;
    known = undefined;
    if (row && decision?.write) {
      // A change without further writes needs no transaction: a lone UPDATE is atomic on either engine, and
      // PostgreSQL writes the change with its event in one statement.
      const alone = !decision.after && (!decision.event || store.oneStatement);
      outcome = !alone
        ? await store.transaction((tx) => write(tx, spec.table, row, decision))
        : (decision.event ? await writeInOneStatement(store, spec.table, row, decision.set, decision.event) : await updateIfVersion(store.db, spec.table, row, decision.set))
          ? decision.result(row.version + 1)
          : NOT_WRITTEN;
    } else {
      outcome = await store.transaction(async (tx) => {
        if (spec.rule === 'row-lock') await lockRow(tx, spec.table, spec.id);
        const current = await spec.read(tx);
        const decided = spec.decide(current);
        return decided.write ? write(tx, spec.table, current, decided) : decided.result;
      });
    }
    if (outcome !== NOT_WRITTEN) return outcome as Result;
  }
  throw conflict(`The ${spec.noun} is being changed by several writers at once; try again.`);
}

function decideOrUndefined<Row extends Versioned, Result>(spec: CompareAndSetSpec<Row, Result>, row: Row): Decision<Result> | undefined {
  try {
    return spec.decide(row);
  } catch {
    return undefined; // judged again on the row as it is now
  }
}

type WriteDecision<Result> = Extract<Decision<Result>, { write: true }>;

async function write<Result>(tx: Tx, table: VersionedTable, row: Versioned, decision: WriteDecision<Result>): Promise<Result | typeof NOT_WRITTEN> {
  if (!(await writeIfVersion(tx, table, row, decision.set))) return NOT_WRITTEN;
  if (decision.event) {
    await tx.db.insertInto('events').values(decision.event.values).execute();
    if (decision.event.notify) await tx.notify(decision.event.notify.channel, decision.event.notify.payload);
  }
  await decision.after?.(tx, row.version + 1);
  return decision.result(row.version + 1);
}

/**
 * PostgreSQL: the change and its event as one statement (a data-modifying CTE), committed on its own: the event is
 * inserted only if the row still had the version. Its notification follows once the statement has committed. False
 * when another writer got there first.
 */
async function writeInOneStatement(store: Store, table: VersionedTable, row: Versioned, set: Record<string, unknown>, event: EventWrite): Promise<boolean> {
  const update = store.db
    .updateTable(table as 'jobs')
    .set({ ...set, version_no: row.version + 1 })
    .where('id', '=', row.id)
    .where('version_no', '=', row.version)
    .returning('id');
  const v = event.values;
  const { rows } = await sql<{ updated: string | number }>`
    WITH updated AS (${update}),
    inserted AS (
      INSERT INTO events (project_id, agent_id, configuration_id, subject_id, name, time, body, hidden)
      SELECT CAST(${v.project_id} AS text), CAST(${v.agent_id ?? null} AS text), CAST(${v.configuration_id ?? null} AS text),
             CAST(${v.subject_id ?? null} AS text), CAST(${v.name} AS text), CAST(${v.time} AS text), CAST(${v.body} AS text),
             CAST(${v.hidden ?? 0} AS integer)
      FROM updated RETURNING id
    )
    SELECT (SELECT count(*) FROM updated) AS updated, (SELECT count(*) FROM inserted) AS inserted`.execute(store.db);
  const written = Number(rows[0]?.updated) === 1;
  if (written && event.notify) store.oneStatement!.notifyCommitted(event.notify.channel, event.notify.payload);
  return written;
}

/** Writes `set` and the next version where the row still has `row.version`; false when another writer got there first. */
export async function writeIfVersion(tx: Tx, table: VersionedTable, row: Versioned, set: Record<string, unknown>): Promise<boolean> {
  return updateIfVersion(tx.db, table, row, set);
}

async function updateIfVersion(db: Kysely<Database>, table: VersionedTable, row: Versioned, set: Record<string, unknown>): Promise<boolean> {
  const columns = Object.keys(set);
  const values = columns.map((column) => set[column]);
  if (!values.every(isPlainValue)) {
    const result = await db
      .updateTable(table as 'jobs')
      .set({ ...set, version_no: row.version + 1 })
      .where('id', '=', row.id)
      .where('version_no', '=', row.version)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
  const alone = async () => (await versionedUpdate(table, columns).affected(db, ...values, row.version + 1, row.id, row.version)) === 1;
  // Outside a transaction on PostgreSQL, concurrent requests' updates share one statement and one commit.
  return batchesStatements(db) ? updateInBatch(db, table, row, set, alone) : alone();
}

/** A value sent as a parameter as it is (not an SQL expression built by the caller). */
function isPlainValue(value: unknown): boolean {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean';
}

const versionedUpdates = new Map<string, PrecompiledQuery<unknown, unknown[]>>();

/** `UPDATE table SET columns…, version_no = ? WHERE id = ? AND version_no = ?`, compiled once per table and column list. */
function versionedUpdate(table: VersionedTable, columns: string[]): PrecompiledQuery<unknown, unknown[]> {
  const key = `${table}:${columns.join(',')}`;
  let query = versionedUpdates.get(key);
  if (!query) {
    const n = columns.length;
    query = new PrecompiledQuery(n + 3, (db, $) =>
      db
        .updateTable(table as 'jobs')
        .set({ ...Object.fromEntries(columns.map((column, i) => [column, $(i)])), version_no: $(n) })
        .where('id', '=', $(n + 1))
        .where('version_no', '=', $(n + 2)),
    );
    versionedUpdates.set(key, query);
  }
  return query;
}

/** A no-op UPDATE takes the row's write lock until the transaction ends (PostgreSQL; SQLite has one writer). */
export async function lockRow(tx: Tx, table: VersionedTable, id: string): Promise<void> {
  await tx.db
    .updateTable(table as 'jobs')
    .set((eb) => ({ version_no: eb.ref('version_no') }))
    .where('id', '=', id)
    .execute();
}
