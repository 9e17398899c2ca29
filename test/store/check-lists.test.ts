// The database's CHECK lists (frozen in the migrations that wrote them) must equal the domain's live lists: a state
// or kind added to a state machine without a migration would be refused by upgraded databases only.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { ALL_JOB_STATES, JOB_MACHINES } from '../../src/domain/state-machines/job-machines.js';
import { TASK_STATES } from '../../src/domain/state-machines/task-machine.js';
import { DRILL_RUN_STATES } from '../../src/domain/state-machines/drill-machine.js';
import type { Store } from '../../src/store/store.js';
import { testEngine, withFreshStore } from '../helpers/test-store.js';

const engine = testEngine();
let store: Store;
withFreshStore((opened) => (store = opened));

/** The quoted values of the CHECK constraint on `table.column`, as the database holds it. */
async function checkList(table: string, column: string): Promise<string[]> {
  let definitions: string[];
  if (engine === 'postgres') {
    const rows = await sql<{ def: string }>`SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = ${table}::regclass AND contype = 'c'`.execute(store.db);
    definitions = rows.rows.map((r) => r.def);
  } else {
    const rows = await sql<{ sql: string }>`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ${table}`.execute(store.db);
    // One CHECK per column: cut the table's SQL at each column's CHECK.
    definitions = (rows.rows[0]?.sql ?? '').split(/,\s*(?=["`]?\w+["`]?\s+\w+)/);
  }
  const mentioning = definitions.filter((d) => new RegExp(`\\b${column}\\b[^,]*\\bIN\\b|\\(${column}\\b.*ANY`, 'i').test(d));
  assert.equal(mentioning.length, 1, `one CHECK on ${table}.${column}: ${JSON.stringify(definitions)}`);
  return [...mentioning[0]!.matchAll(/'([^']*)'/g)].map((m) => m[1]!).sort();
}

describe(`database CHECK lists equal the domain's (${engine})`, () => {
  it('job states', async () => {
    assert.deepEqual(await checkList('jobs', 'state'), [...ALL_JOB_STATES].sort());
  });
  it('job kinds', async () => {
    assert.deepEqual(await checkList('jobs', 'kind'), Object.keys(JOB_MACHINES).sort());
  });
  it('task states', async () => {
    assert.deepEqual(await checkList('tasks', 'state'), [...TASK_STATES].sort());
  });
  it('drill run states', async () => {
    assert.deepEqual(await checkList('drill_runs', 'state'), [...DRILL_RUN_STATES].sort());
  });
});
