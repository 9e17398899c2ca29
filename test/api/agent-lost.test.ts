// A running job whose agent went silent ends failed / agent_lost, set by the server through the job's state machine,
// with its event; a job whose agent is still heard from, or that reported lately, is left alone; ended jobs stay as
// they are; two sweeps at once end a job once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { failLostJobs } from '../../src/resources/jobs/agent-lost-sweeper.js';
import { insertJob } from '../../src/resources/jobs/job-insert.js';
import { buildWorld, patchHeaders, PROJECT, registerAgent, type World } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const LOST_SECONDS = 120;
let t: TestServer;
let w: World;

before(async () => {
  t = await startTestServer({ agentLostSeconds: LOST_SECONDS });
  w = await buildWorld(t);
});
after(async () => t.close());

const db = () => t.server.ctx.store.db;
const ago = (seconds: number) => new Date(Date.now() - seconds * 1000);
const wire = (date: Date) => date.toISOString().replace(/Z$/, '000Z');

async function runningJob(agentId: string, kind: 'backup' | 'restore' | 'cleanup', state: string, updatedSecondsAgo: number): Promise<string> {
  const job = await t.server.ctx.store.transaction((tx) => insertJob(tx, { projectId: PROJECT, kind, agentId, state: 'start_requested' }));
  await db()
    .updateTable('jobs')
    .set({ state, updated_at: wire(ago(updatedSecondsAgo)) })
    .where('id', '=', job.id)
    .execute();
  return job.id;
}

const silence = (agentId: string, seconds: number) =>
  db()
    .updateTable('agents')
    .set({ last_seen_at: ago(seconds).toISOString() })
    .where('id', '=', agentId)
    .execute();

async function jobEvents(kind: string, id: string): Promise<string[]> {
  const res = await t.request('GET', `/v2/${PROJECT}/${kind}s/${id}/events?limit=100`, { token: w.admin });
  assert.equal(res.status, 200, res.text);
  return res.body.events.map((e: { event: string }) => e.event);
}

describe('lost agents', { timeout: 60_000 }, () => {
  it('ends every running job of a silent agent failed / agent_lost, with its event, once', async () => {
    const agent = await registerAgent(t, w.admin);
    const backup = await runningJob(agent.id, 'backup', 'in_progress', LOST_SECONDS + 60);
    const cleanup = await runningJob(agent.id, 'cleanup', 'queued', LOST_SECONDS + 60);
    const stopping = await runningJob(agent.id, 'restore', 'stop_requested', LOST_SECONDS + 60);
    const waiting = await runningJob(agent.id, 'backup', 'start_requested', LOST_SECONDS + 60);
    const ended = await runningJob(agent.id, 'backup', 'completed', LOST_SECONDS + 60);
    await silence(agent.id, LOST_SECONDS + 30);

    // Two nodes sweeping at the same moment end each job once.
    const [a, b] = await Promise.all([failLostJobs(t.server.ctx), failLostJobs(t.server.ctx)]);
    assert.equal(a + b, 3);
    for (const [kind, id] of [
      ['backup', backup],
      ['cleanup', cleanup],
      ['restore', stopping],
    ] as const) {
      const job = await t.request('GET', `/v2/${PROJECT}/${kind}s/${id}`, { token: w.admin });
      assert.equal(job.body.state, 'failed', `${kind} ${id}`);
      assert.equal(job.body.errors.reason, 'agent_lost');
      assert.match(job.body.errors.diagnostics, /not heard from for 2 minutes/);
      assert.ok(job.body.ended_time, 'the end time is set');
      assert.equal((await jobEvents(kind, id)).filter((e) => e === `${kind}_failed`).length, 1, `one ${kind}_failed event`);
    }
    assert.equal((await t.request('GET', `/v2/${PROJECT}/backups/${waiting}`, { token: w.admin })).body.state, 'start_requested', 'not picked up: not the agent’s to lose');
    assert.equal((await t.request('GET', `/v2/${PROJECT}/backups/${ended}`, { token: w.admin })).body.state, 'completed');
    assert.equal(await failLostJobs(t.server.ctx), 0, 'a second sweep finds nothing');
    const status = await t.request('GET', `/v2/${PROJECT}/agents/${agent.id}/status`, { token: w.observer });
    assert.deepEqual(status.body, { busy: false, online: true }, 'two minutes of silence is still within three idle heartbeat intervals');
    // The agent's late report is refused: the job has ended.
    const late = await t.request('PATCH', `/v2/${PROJECT}/backups/${backup}`, {
      token: agent.token,
      raw: JSON.stringify([{ op: 'replace', path: '/state', value: 'completed' }]),
      headers: patchHeaders,
    });
    assert.equal(late.status, 409, late.text);
  });

  it('leaves a job alone while its agent is heard from, or while the job itself reported lately', async () => {
    const talking = await registerAgent(t, w.admin);
    const longBackup = await runningJob(talking.id, 'backup', 'in_progress', LOST_SECONDS * 5);
    await silence(talking.id, 5);
    const quiet = await registerAgent(t, w.admin);
    const fresh = await runningJob(quiet.id, 'backup', 'in_progress', 10);
    await silence(quiet.id, LOST_SECONDS * 5);
    assert.equal(await failLostJobs(t.server.ctx), 0);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/backups/${longBackup}`, { token: w.admin })).body.state, 'in_progress');
    assert.equal((await t.request('GET', `/v2/${PROJECT}/backups/${fresh}`, { token: w.admin })).body.state, 'in_progress');
  });

  it('a report that lands between the check and the end wins', async () => {
    const agent = await registerAgent(t, w.admin);
    const id = await runningJob(agent.id, 'backup', 'in_progress', LOST_SECONDS + 60);
    await silence(agent.id, LOST_SECONDS + 30);
    const ctx = t.server.ctx;
    // A progress report commits after the sweep read the job but before it wrote: the version test refuses the end.
    const originalTransaction = ctx.store.transaction.bind(ctx.store);
    let reported = false;
    ctx.store.transaction = (async (fn: never) => {
      if (!reported) {
        reported = true;
        const res = await t.request('PATCH', `/v2/${PROJECT}/backups/${id}`, {
          token: agent.token,
          raw: JSON.stringify([{ op: 'replace', path: '/files_searched', value: 5 }]),
          headers: patchHeaders,
        });
        assert.equal(res.status, 204, res.text);
      }
      return originalTransaction(fn);
    }) as typeof ctx.store.transaction;
    try {
      assert.equal(await failLostJobs(ctx), 0);
    } finally {
      ctx.store.transaction = originalTransaction;
    }
    const job = (await t.request('GET', `/v2/${PROJECT}/backups/${id}`, { token: w.admin })).body;
    assert.equal(job.state, 'in_progress', 'the job that reported is not lost');
    assert.equal(job.files_searched, 5);
  });
});
