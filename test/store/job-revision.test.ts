// jobs.revision (migration 0310) moves on every UPDATE of a job, whoever writes and whatever column changes: the job
// list pages keep each item's JSON while its row's (seq, revision) is the same (src/resources/jobs/list-item-json.ts),
// so a write that left it in place would be served stale. Run on the engine of the test run.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../src/store/database.js';
import type { Store } from '../../src/store/store.js';
import { testEngine, withFreshStore } from '../helpers/test-store.js';
import { insertJobWithParents } from './store-rows.js';

const engine = testEngine();

/** Per column of jobs, a new value for it (SQL, so numbers can be the old value plus one). */
function changedValues(other: { projectId: string; agentId: string }): Record<string, RawBuilder<unknown>> {
  const text = (value: string) => sql`${value}`;
  return {
    seq: sql`seq + 100000`,
    id: text(randomUUID()),
    project_id: text(other.projectId),
    kind: text('backup'),
    agent_id: text(other.agentId),
    configuration_id: text('configuration'),
    backup_id: text('backup'),
    state: text('in_progress'),
    started_by: text('start_scheduled'),
    started_time: text('2026-02-01T00:00:00.000000Z'),
    ended_time: text('2026-02-02T00:00:00.000000Z'),
    snapshot_id: sql`coalesce(snapshot_id, 0) + 1`,
    details: text('{"changed":1}'),
    results: text('{"bytes_before":1}'),
    errors: text('{"count":1,"reason":"r","diagnostics":"","list":[]}'),
    scheduled_time: text('2026-02-03T00:00:00.000000Z'),
    created_at: text('2026-02-04T00:00:00.000000Z'),
    updated_at: text('2026-02-05T00:00:00.000000Z'),
    version_no: sql`version_no + 1`,
    vault_id: text('vault'),
    pruned_by: text('cleanup'),
    admission: text('waiting'),
    commit_tx: sql`commit_tx + 1`,
  };
}

async function revisionOf(db: Kysely<Database>, id: string): Promise<{ seq: number; revision: number }> {
  const row = await db.selectFrom('jobs').select(['seq', 'revision']).where('id', '=', id).executeTakeFirstOrThrow();
  return { seq: Number(row.seq), revision: Number(row.revision) };
}

describe(`jobs.revision (${engine})`, { timeout: 60_000 }, () => {
  let store: Store;
  withFreshStore((opened) => (store = opened));

  it('moves by one on every UPDATE, whichever column it changes (every column of the table is tried)', async () => {
    const other = await insertJobWithParents(store.db);
    const values = changedValues(other);
    const columns = (await store.db.introspection.getTables()).find((table) => table.name === 'jobs')!.columns.map((column) => column.name);
    assert.deepEqual(
      columns.filter((column) => column !== 'revision' && !(column in values)),
      [],
      'every column of jobs has a changed value in this test',
    );
    for (const column of columns.filter((name) => name !== 'revision')) {
      const { jobId } = await insertJobWithParents(store.db);
      const before = await revisionOf(store.db, jobId);
      const changed = await store.db
        .updateTable('jobs')
        .set({ [column]: values[column]! } as never)
        .where('id', '=', jobId)
        .returning(['id'])
        .executeTakeFirstOrThrow();
      const now = await revisionOf(store.db, changed.id);
      assert.equal(now.revision, before.revision + 1, `an update of ${column} moves the revision`);
    }
  });

  it('moves on an UPDATE that changes nothing, in a transaction, and for every row of a statement', async () => {
    const a = await insertJobWithParents(store.db);
    const b = await insertJobWithParents(store.db);
    const before = [await revisionOf(store.db, a.jobId), await revisionOf(store.db, b.jobId)];
    await sql`UPDATE jobs SET state = state WHERE id IN (${a.jobId}, ${b.jobId})`.execute(store.db);
    await store.transaction(async (tx) => {
      await tx.db.updateTable('jobs').set({ results: '{"files":1}' }).where('id', '=', a.jobId).execute();
      await tx.db.updateTable('jobs').set({ results: '{"files":2}' }).where('id', '=', a.jobId).execute();
    });
    assert.equal((await revisionOf(store.db, a.jobId)).revision, before[0]!.revision + 3);
    assert.equal((await revisionOf(store.db, b.jobId)).revision, before[1]!.revision + 1);
  });

  it('a writer that sets the revision itself cannot leave it in place; a new job never takes a deleted job’s seq', async () => {
    const { jobId } = await insertJobWithParents(store.db);
    const before = await revisionOf(store.db, jobId);
    await store.db.updateTable('jobs').set({ state: 'in_progress', revision: before.revision }).where('id', '=', jobId).execute();
    assert.equal((await revisionOf(store.db, jobId)).revision, before.revision + 1);
    await store.db.deleteFrom('jobs').where('seq', '=', before.seq).execute();
    const again = await insertJobWithParents(store.db);
    assert.ok((await revisionOf(store.db, again.jobId)).seq > before.seq);
  });
});
