// What the PostgreSQL store does to save round trips must not change what callers see: lookups read together in
// one statement answer each caller with its own row and never from before a commit it followed; statements kept
// prepared survive a change of their table; BEGIN sent with the first statement keeps the transaction atomic;
// notifications sent after commit, many in one statement, all arrive, and none from a rolled-back transaction.
// Runs on the engine of the test run (on SQLite the lookups simply read one by one).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { BatchedLookup } from '../../src/store/batched-lookup.js';
import { compareAndSet } from '../../src/store/compare-and-set.js';
import { linesOf, lineOf, packLines } from '../../src/store/postgres-notifier.js';
import type { Store } from '../../src/store/store.js';
import { type TestDatabase, withFreshStore } from '../helpers/test-store.js';
import { insertJobWithParents } from './store-rows.js';

const JOB_STATE = new BatchedLookup('id', 'jobs.id', (db, keyMatches) => db.selectFrom('jobs').select(['id', 'state', 'version_no']).where(keyMatches));

describe('store: fewer round trips, same answers', { timeout: 120_000 }, () => {
  let database: TestDatabase;
  let store: Store;
  withFreshStore((opened, created) => {
    store = opened;
    database = created;
  });

  it('lookups started together each get their own row (or none), duplicates included', async () => {
    const jobs = await Promise.all(Array.from({ length: 12 }, () => insertJobWithParents(store.db)));
    await store.db.updateTable('jobs').set({ state: 'in_progress' }).where('id', '=', jobs[3]!.jobId).execute();
    const keys = [...jobs.map((j) => j.jobId), jobs[0]!.jobId, 'no-such-job', jobs[3]!.jobId];
    const rows = await Promise.all(keys.map((key) => JOB_STATE.first(store.db, key)));
    rows.forEach((row, i) => {
      if (keys[i] === 'no-such-job') assert.equal(row, undefined);
      else assert.equal(row?.id, keys[i]);
    });
    assert.equal(rows[3]!.state, 'in_progress');
    assert.equal(rows.at(-1)!.state, 'in_progress');
    assert.equal(rows[0]!.state, 'start_requested');
  });

  it('a lookup started after a commit sees it, even beside lookups started before', async () => {
    const { jobId } = await insertJobWithParents(store.db);
    for (let round = 0; round < 20; round++) {
      const earlier = JOB_STATE.first(store.db, jobId);
      await store.db
        .updateTable('jobs')
        .set({ version_no: round + 10 })
        .where('id', '=', jobId)
        .execute();
      const later = await JOB_STATE.first(store.db, jobId);
      assert.equal(later?.version_no, round + 10, 'a read started after the commit returned an older row');
      await earlier;
    }
  });

  it('inside a transaction a lookup reads the transaction’s own writes', async () => {
    const { jobId } = await insertJobWithParents(store.db);
    await store
      .transaction(async (tx) => {
        await tx.db.updateTable('jobs').set({ state: 'in_progress' }).where('id', '=', jobId).execute();
        assert.equal((await JOB_STATE.first(tx.db, jobId))?.state, 'in_progress');
        throw new Error('roll back');
      })
      .catch(() => undefined);
    assert.equal((await JOB_STATE.first(store.db, jobId))?.state, 'start_requested');
  });

  /** A report-like change of one row that commits on its own (no event, no further writes), as compareAndSet runs it. */
  const setColumns = (table: 'jobs' | 'agents', id: string, version: number, set: Record<string, unknown>) =>
    compareAndSet<{ id: string; version: number }, boolean>(store, {
      table,
      id,
      noun: table,
      rule: 'optimistic',
      known: { id, version },
      read: async (tx) => {
        const row = await tx.db.selectFrom(table).select(['id', 'version_no']).where('id', '=', id).executeTakeFirstOrThrow();
        return { id: row.id, version: row.version_no };
      },
      decide: (row) => (row.version === version ? { write: true, set, result: () => true } : { write: false, result: false }),
    });

  it('updates started together are each written where the version matches, and only there', async () => {
    const jobs = await Promise.all(Array.from({ length: 10 }, () => insertJobWithParents(store.db)));
    const results = await Promise.all([
      ...jobs.map((job, i) => setColumns('jobs', job.jobId, 1, { results: JSON.stringify({ n: i }), updated_at: `u${i}` })),
      // The same row twice with the same version: one of the two wins.
      setColumns('jobs', jobs[0]!.jobId, 1, { results: '{"n":"twice"}', updated_at: 'twice' }),
    ]);
    assert.equal(results.filter((r) => r).length, 10, 'exactly one of the two writers of the first row wins');
    const rows = await store.db
      .selectFrom('jobs')
      .select(['id', 'results', 'updated_at', 'version_no'])
      .where(
        'id',
        'in',
        jobs.map((j) => j.jobId),
      )
      .execute();
    for (const row of rows) {
      const i = jobs.findIndex((j) => j.jobId === row.id);
      assert.equal(row.version_no, 2);
      if (i > 0) assert.deepEqual([row.results, row.updated_at], [JSON.stringify({ n: i }), `u${i}`]);
    }
    // A stale version writes nothing, beside one that writes.
    const [stale, fresh] = await Promise.all([setColumns('jobs', jobs[1]!.jobId, 1, { updated_at: 'stale' }), setColumns('jobs', jobs[2]!.jobId, 2, { updated_at: 'fresh' })]);
    assert.equal(stale, false);
    assert.equal(fresh, true);
    const after = await store.db.selectFrom('jobs').select(['id', 'updated_at']).where('id', 'in', [jobs[1]!.jobId, jobs[2]!.jobId]).orderBy('id').execute();
    assert.deepEqual(after.map((r) => r.updated_at).sort(), ['fresh', 'u1']);
  });

  it('a value its column refuses fails only its own update, not the others started with it', async () => {
    const [a, b] = await Promise.all([insertJobWithParents(store.db), insertJobWithParents(store.db)]);
    const [good, bad] = await Promise.allSettled([setColumns('agents', a.agentId, 1, { vault_bytes: 42 }), setColumns('agents', b.agentId, 1, { vault_bytes: 'not a number' })]);
    assert.equal(good.status, 'fulfilled');
    assert.equal((good as PromiseFulfilledResult<boolean>).value, true);
    if (store.capabilities.engine === 'postgres') assert.equal(bad.status, 'rejected');
    const rows = await store.db.selectFrom('agents').select(['id', 'vault_bytes', 'version_no']).where('id', 'in', [a.agentId, b.agentId]).execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    assert.deepEqual([Number(byId.get(a.agentId)!.vault_bytes), byId.get(a.agentId)!.version_no], [42, 2]);
    if (store.capabilities.engine === 'postgres') assert.equal(byId.get(b.agentId)!.version_no, 1);
  });

  it('a failing first statement rolls the transaction back whole, and the connection stays usable', async () => {
    const { jobId } = await insertJobWithParents(store.db);
    for (let i = 0; i < 5; i++) {
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.db.insertInto('projects').values({ id: 'x', name: 'x', created_at: 'y' }).execute();
          await tx.db.insertInto('projects').values({ id: 'x', name: 'x', created_at: 'y' }).execute();
        }),
      );
      assert.equal((await store.db.selectFrom('projects').select('id').where('id', '=', 'x').execute()).length, 0);
    }
    await store.transaction(async (tx) => {
      await tx.db.updateTable('jobs').set({ state: 'in_progress' }).where('id', '=', jobId).execute();
    });
    assert.equal((await JOB_STATE.first(store.db, jobId))?.state, 'in_progress');
  });

  it('a statement kept prepared still works after its table gains a column', async (t) => {
    if (store.capabilities.engine !== 'postgres') return t.skip('PostgreSQL only: prepared statements per connection');
    const { jobId } = await insertJobWithParents(store.db);
    const read = () => store.db.selectFrom('jobs').selectAll().where('id', '=', jobId).executeTakeFirstOrThrow();
    for (let i = 0; i < 10; i++) await Promise.all([read(), read(), read()]);
    await store.db.schema.alterTable('jobs').addColumn('extra_for_test', 'text').execute();
    try {
      for (let i = 0; i < 10; i++) {
        const rows = await Promise.all([read(), read(), read()]);
        for (const row of rows) assert.equal(row.id, jobId);
      }
    } finally {
      await store.db.schema.alterTable('jobs').dropColumn('extra_for_test').execute();
    }
  });

  it('notifications of many transactions committed at once reach another store, each one, and none rolled back', async (t) => {
    if (!store.capabilities.sharedAcrossNodes) return t.skip('SQLite serves one node');
    const other = await database.open();
    try {
      const heard = new Set<string>();
      const stop = other.listen((channel, payload) => channel === 'batch-test' && heard.add(payload));
      const sent = Array.from({ length: 300 }, (_, i) => `p-${i}\tagent-${'x'.repeat(i % 40)}`);
      await Promise.all([
        ...sent.map((payload) => store.transaction((tx) => tx.notify('batch-test', payload))),
        store.transaction((tx) => tx.notify('batch-test', 'rolled-back').then(() => Promise.reject(new Error('no')))).catch(() => undefined),
      ]);
      const deadline = Date.now() + 5000;
      while (heard.size < sent.length && Date.now() < deadline) await delay(20);
      await delay(100);
      stop();
      assert.deepEqual([...heard].sort(), [...sent].sort());
    } finally {
      await other.close();
    }
  });

  it('packs notification lines under the payload limit and reads them back', () => {
    const lines = Array.from({ length: 500 }, (_, i) => lineOf('events', `project-${i}\tagent-${i}`));
    const payloads = packLines(lines);
    assert.ok(payloads.length > 1);
    for (const payload of payloads) assert.ok(Buffer.byteLength(payload) < 8000);
    assert.deepEqual(
      payloads.flatMap(linesOf),
      lines.map((line) => ['events', line.slice('events|'.length)]),
    );
    assert.throws(() => lineOf('events', 'a\nb'));
    assert.throws(() => lineOf('a|b', 'c'));
  });
});
