// On SQLite with group commit, precompiled statements on the store's own Kysely run at once on the connection
// (src/store/direct-statements.ts). They must never run inside another request's open transaction (seeing its
// uncommitted rows, or being rolled back with it), and a write must be committed before it is acknowledged.
import assert from 'node:assert/strict';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { PrecompiledQuery } from '../../src/store/precompiled-query.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-store.js';
import { insertJobWithParents } from './store-rows.js';

const STATE = new PrecompiledQuery(1, (db, $) => db.selectFrom('jobs').select(['state']).where('id', '=', $(0)));
const SET_STATE = new PrecompiledQuery(2, (db, $) =>
  db
    .updateTable('jobs')
    .set({ state: $(0) })
    .where('id', '=', $(1)),
);

/** A transaction that changes the job's state, then waits until `release` and fails (so it rolls back). */
function failingTransaction(store: Store, jobId: string) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let entered!: () => void;
  const inside = new Promise<void>((resolve) => (entered = resolve));
  const done = store.transaction(async (tx) => {
    await tx.db.updateTable('jobs').set({ state: 'queued' }).where('id', '=', jobId).execute();
    entered();
    await released;
    throw new Error('rolled back on purpose');
  });
  return { inside, release, done };
}

describe('SQLite: statements run at once outside transactions', { timeout: 60_000 }, () => {
  let database: TestDatabase;
  let store: Store;
  /** The job's state as another connection to the file sees it: what is committed. */
  let committedState: (jobId: string) => string;
  let other: DatabaseSync;

  before(async () => {
    database = await createTestDatabase('sqlite');
    store = await database.open();
    other = new DatabaseSync(path.join(database.dataDir, 'coffer.db'), { readOnly: true });
    const read = other.prepare('SELECT state FROM jobs WHERE id = ?');
    committedState = (jobId) => (read.get(jobId) as { state: string }).state;
  });
  after(async () => {
    other?.close();
    await store?.close();
    await database?.drop();
  });

  it('a write is acknowledged only once it is committed', async () => {
    const { jobId } = await insertJobWithParents(store.db);
    assert.equal(await SET_STATE.affected(store.db, 'in_progress', jobId), 1);
    assert.equal(committedState(jobId), 'in_progress');
  });

  it('a read waits for an open transaction instead of seeing its uncommitted rows', async () => {
    const { jobId } = await insertJobWithParents(store.db);
    const tx = failingTransaction(store, jobId);
    await tx.inside;
    const read = STATE.first(store.db, jobId);
    const early = await Promise.race([read.then(() => 'answered'), delay(100).then(() => 'still waiting')]);
    assert.equal(early, 'still waiting');
    tx.release();
    await assert.rejects(tx.done, /rolled back on purpose/);
    assert.equal((await read)?.state, 'start_requested');
  });

  it('a write made while a transaction is open is not rolled back with it', async () => {
    const first = await insertJobWithParents(store.db);
    const second = await insertJobWithParents(store.db);
    const tx = failingTransaction(store, first.jobId);
    await tx.inside;
    const write = SET_STATE.affected(store.db, 'in_progress', second.jobId);
    await delay(20);
    tx.release();
    await assert.rejects(tx.done, /rolled back on purpose/);
    assert.equal(await write, 1);
    assert.equal(committedState(first.jobId), 'start_requested');
    assert.equal(committedState(second.jobId), 'in_progress');
  });

  it('writes and reads in one turn see each other, and all of them commit', async () => {
    const jobs = await Promise.all([1, 2, 3, 4, 5].map(() => insertJobWithParents(store.db)));
    const writes = jobs.map(({ jobId }) => SET_STATE.affected(store.db, 'in_progress', jobId));
    const reads = jobs.map(({ jobId }) => STATE.first(store.db, jobId));
    assert.deepEqual(
      (await Promise.all(reads)).map((row) => row?.state),
      jobs.map(() => 'in_progress'),
    );
    assert.deepEqual(await Promise.all(writes), [1, 1, 1, 1, 1]);
    for (const { jobId } of jobs) assert.equal(committedState(jobId), 'in_progress');
  });
});
