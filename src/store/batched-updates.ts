import { CompiledQuery, type Kysely } from 'kysely';
import type { Database } from './database.js';

/**
 * Compare-and-set updates that commit on their own (a progress report: one row, no event, no further writes), on a
 * store whose statements each cost a round trip and a commit (PostgreSQL). Those started in one event-loop turn, by
 * any number of concurrent requests, on the same table and columns, are written by one statement:
 *
 *   UPDATE jobs AS t SET results = v.results, …, version_no = v.version_no + 1
 *   FROM json_populate_recordset(NULL::jobs, $1) AS v WHERE t.id = v.id AND t.version_no = v.version_no RETURNING t.id
 *
 * Each row is written only where it still has the version its request read, exactly as its own UPDATE would; the
 * ids returned say which were. One statement is one transaction: its rows commit together, durably, before any of
 * its requests is answered. Should it fail (a value the column refuses, a deadlock with another batch), each update
 * is run again on its own, so every request gets its own answer. A batch holds one update per row; a second one of
 * the same row in the same turn runs on its own.
 */
export type SingleUpdate = () => Promise<boolean>;

interface Entry {
  id: string;
  version: number;
  set: Record<string, unknown>;
  single: SingleUpdate;
  resolve: (written: boolean) => void;
  reject: (error: unknown) => void;
}

interface Group {
  table: string;
  columns: string[];
  entries: Map<string, Entry>;
}

const pendingByDatabase = new WeakMap<Kysely<Database>, Map<string, Group>>();
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** Adds the update to this turn's batch of `db`; `single` writes it on its own (alone, or when the batch fails). */
export function updateInBatch(db: Kysely<Database>, table: string, row: { id: string; version: number }, set: Record<string, unknown>, single: SingleUpdate): Promise<boolean> {
  const columns = Object.keys(set);
  if (![table, ...columns].every((name) => IDENTIFIER.test(name)) || columns.includes('id') || columns.includes('version_no')) return single();
  let pending = pendingByDatabase.get(db);
  if (!pending) {
    const batch = new Map<string, Group>();
    pending = batch;
    pendingByDatabase.set(db, batch);
    setImmediate(() => {
      pendingByDatabase.delete(db);
      for (const group of batch.values()) void runGroup(db, group);
    });
  }
  const key = `${table}:${columns.join(',')}`;
  let group = pending.get(key);
  if (!group) pending.set(key, (group = { table, columns, entries: new Map() }));
  if (group.entries.has(row.id)) return single();
  const entries = group.entries;
  return new Promise((resolve, reject) => entries.set(row.id, { id: row.id, version: row.version, set, single, resolve, reject }));
}

async function runGroup(db: Kysely<Database>, group: Group): Promise<void> {
  const entries = [...group.entries.values()];
  if (entries.length === 1) return settle(entries[0]!, entries[0]!.single());
  let written: Set<string>;
  try {
    const documents = entries.map((entry) => ({ ...entry.set, id: entry.id, version_no: entry.version }));
    const { rows } = await db.executeQuery<{ id: string }>(CompiledQuery.raw(batchSql(group.table, group.columns), [JSON.stringify(documents)]));
    written = new Set(rows.map((row) => row.id));
  } catch {
    for (const entry of entries) void settle(entry, entry.single());
    return;
  }
  for (const entry of entries) entry.resolve(written.has(entry.id));
}

async function settle(entry: Entry, outcome: Promise<boolean>): Promise<void> {
  try {
    entry.resolve(await outcome);
  } catch (error) {
    entry.reject(error);
  }
}

const statements = new Map<string, string>();

function batchSql(table: string, columns: string[]): string {
  const key = `${table}:${columns.join(',')}`;
  let text = statements.get(key);
  if (!text) {
    const sets = columns.map((column) => `"${column}" = v."${column}"`).join(', ');
    text =
      `UPDATE "${table}" AS t SET ${sets}, "version_no" = v."version_no" + 1 ` +
      `FROM json_populate_recordset(NULL::"${table}", $1::json) AS v ` +
      `WHERE t."id" = v."id" AND t."version_no" = v."version_no" RETURNING t."id"`;
    statements.set(key, text);
  }
  return text;
}
