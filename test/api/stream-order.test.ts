// Marker-paged streams on PostgreSQL, where transactions commit out of id order: an agent's long poll and a job
// list hold back what a transaction still running could overtake, and deliver everything once it ends
// (src/store/commit-order.ts). SQLite has one writer, so nothing commits out of id order there.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { insertJob } from '../../src/resources/jobs/job-insert.js';
import type { Tx } from '../../src/store/store.js';
import { buildWorld, PROJECT, type World } from '../helpers/fixtures.js';
import { testEngine } from '../helpers/test-store.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const skip = testEngine() === 'sqlite' && 'SQLite has one writer: nothing commits out of id order';

describe('stream order under transactions that commit out of id order', { skip, timeout: 60_000 }, () => {
  let t: TestServer;
  let w: World;
  before(async () => {
    t = await startTestServer({ maxLongPollSeconds: 10 });
    w = await buildWorld(t);
  });
  after(async () => t?.close());

  /** Runs `write` in a transaction that stays open until the returned release() is called. */
  async function heldTransaction<T>(write: (tx: Tx) => Promise<T>): Promise<{ value: T; release: () => Promise<void> }> {
    let release!: () => void;
    const mayCommit = new Promise<void>((resolve) => (release = resolve));
    let wrote!: (value: T) => void;
    const written = new Promise<T>((resolve) => (wrote = resolve));
    const committed = t.server.ctx.store.transaction(async (tx) => {
      wrote(await write(tx));
      await mayCommit;
    });
    const value = await written;
    return { value, release: async () => (release(), await committed) };
  }

  async function startCleanup(): Promise<string> {
    const res = await t.request('POST', `/v2/${PROJECT}/cleanups`, { token: w.creator, body: { agent_id: w.agent.id, state: 'start_requested' } });
    assert.equal(res.status, 201, res.text);
    return res.body.id;
  }

  it("an agent's long poll never answers with an event that a lower id still running could come before", async () => {
    const newest = await t.request('GET', `/v2/${PROJECT}/agents/${w.agent.id}/events?sort_dir=desc&limit=1`, { token: w.admin });
    const marker = newest.body.events[0]?.id ?? '0';
    const held = await heldTransaction((tx) =>
      t.server.ctx.events.record(tx, { projectId: PROJECT, agentId: w.agent.id, name: 'agent_activate', body: { agent: { id: w.agent.id }, mode: 'active' } }),
    );
    let released = false;
    try {
      const cleanupId = await startCleanup();
      const asked = Date.now();
      const poll = t.request('GET', `/v2/${PROJECT}/agents/${w.agent.id}/events?marker=${marker}&wait=8`, { token: w.agent.token });
      // The cleanup's event committed with a higher id; answering with it now would move the agent's marker past
      // the event still being written. The poll waits instead.
      const early = await Promise.race([poll.then(() => 'answered' as const), delay(400).then(() => 'waiting' as const)]);
      assert.equal(early, 'waiting', 'the long poll answered while a lower event id was still uncommitted');
      await held.release();
      released = true;
      const res = await poll;
      assert.equal(res.status, 200, res.text);
      const ids = res.body.events.map((e: { id: string }) => e.id);
      assert.equal(ids[0], held.value.id, 'the event that committed last but took its id first comes first');
      assert.ok(
        res.body.events.some((e: { cleanup?: { id: string } }) => e.cleanup?.id === cleanupId),
        JSON.stringify(res.body.events),
      );
      assert.ok(Date.now() - asked < 5_000, 'the poll answered soon after the held transaction ended');
      // Read again from the same marker (by a user: the agent's own reads add heartbeats), the stream is the same.
      const again = await t.request('GET', `/v2/${PROJECT}/agents/${w.agent.id}/events?marker=${marker}&sort_dir=asc`, { token: w.admin });
      assert.deepEqual(again.body.events.map((e: { id: string }) => e.id).slice(0, ids.length), ids);
    } finally {
      if (!released) await held.release();
    }
  });

  it('an ascending job list stops before a job that a transaction still running could come before', async () => {
    const first = await startCleanup();
    const held = await heldTransaction((tx) => insertJob(tx, { projectId: PROJECT, kind: 'cleanup', agentId: w.agent.id, state: 'start_requested', configurationId: null }));
    let released = false;
    try {
      const later = await startCleanup();
      const page = await t.request('GET', `/v2/${PROJECT}/cleanups?sort_dir=asc&marker=${first}`, { token: w.observer });
      assert.equal(page.status, 200, page.text);
      assert.deepEqual(page.body.cleanups, [], `listed ${JSON.stringify(page.body.cleanups.map((c: { id: string }) => c.id))} while an earlier job was uncommitted`);
      await held.release();
      released = true;
      let ids: string[] = [];
      for (let i = 0; i < 100 && ids.length < 2; i++) {
        const res = await t.request('GET', `/v2/${PROJECT}/cleanups?sort_dir=asc&marker=${first}`, { token: w.observer });
        ids = res.body.cleanups.map((c: { id: string }) => c.id);
        if (ids.length < 2) await delay(20);
      }
      assert.deepEqual(ids, [held.value.id, later]);
    } finally {
      if (!released) await held.release();
    }
  });
});
