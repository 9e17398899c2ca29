import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { runAdmissionPass } from '../../src/resources/queue/backup-admission.js';
import { buildWorld, OTHER_PROJECT, patchHeaders, PROJECT, registerAgent, type RegisteredAgent, type World } from '../helpers/fixtures.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../helpers/test-server.js';
import { makeHome, runCoffer } from '../cli/run-coffer.js';

/*
 * The queue's rules over the API, with the agent played by its own token: limits per project, per agent and per
 * server; queue order and positions; restores never wait; a waiting backup cannot start, can be stopped; settings
 * and limits validate their input.
 */

let t: TestServer;
let w: World;
let agents: RegisteredAgent[];

before(async () => {
  t = await startTestServer({ maxRunningBackups: 4 });
  w = await buildWorld(t);
  agents = [w.agent, w.otherAgent, await registerAgent(t, w.admin), await registerAgent(t, w.admin)];
});
after(async () => t.close());

const configs = new Map<string, string>();
async function configOf(agent: RegisteredAgent, project = PROJECT): Promise<string> {
  const known = configs.get(agent.id);
  if (known) return known;
  const res = await t.request('POST', `/v2/${project}/configurations`, {
    token: w.admin,
    body: {
      agent_id: agent.id,
      name: 'Nightly',
      enabled: true,
      schedule: null,
      retention: { days: 30 },
      inclusions: [{ type: 'folder', path: '/web/' }],
      exclusions: [],
      notifications: [{ type: 'email', destination: 'ops@example.com', on_success: false, on_failure: true }],
    },
  });
  assert.equal(res.status, 201, res.text);
  configs.set(agent.id, res.body.id);
  return res.body.id;
}

async function start(agent: RegisteredAgent, scheduled = false): Promise<any> {
  const res = await t.request('POST', `/v2/${PROJECT}/backups`, {
    token: scheduled ? agent.token : w.creator,
    headers: scheduled ? { 'x-agent-id': agent.id } : {},
    body: { configuration_id: await configOf(agent), state: scheduled ? 'start_scheduled' : 'start_requested' },
  });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

function report(agent: RegisteredAgent, kind: string, id: string, state: string, more: Record<string, unknown> = {}) {
  const operations = Object.entries({ state, ...more }).map(([key, value]) => ({ op: 'replace', path: `/${key}`, value }));
  return t.request('PATCH', `/v2/${PROJECT}/${kind}s/${id}`, { token: agent.token, headers: { ...patchHeaders, 'x-agent-id': agent.id }, raw: JSON.stringify(operations) });
}

let snapshot = 100;
async function finish(agent: RegisteredAgent, id: string): Promise<void> {
  const res = await report(agent, 'backup', id, 'completed', { snapshot_id: snapshot++, ended_time: new Date().toISOString() });
  assert.equal(res.status, 204, res.text);
}

const get = async (id: string) => (await t.request('GET', `/v2/${PROJECT}/backups/${id}`)).body;
const agentOf = (id: string) => agents.find((a) => a.id === id)!;
const eventNames = async (id: string) => (await t.server.ctx.store.db.selectFrom('events').select('name').where('subject_id', '=', id).orderBy('id').execute()).map((e) => e.name);

/** Ends every job that has not ended, as its agent, so the next test starts with free slots. */
async function endEverything(): Promise<void> {
  const rows = await t.server.ctx.store.db
    .selectFrom('jobs')
    .select(['id', 'kind', 'agent_id', 'state'])
    .where('state', 'not in', ['completed', 'completed_with_errors', 'failed', 'stopped', 'skipped', 'missed'])
    .execute();
  for (const row of rows) {
    const agent = agentOf(row.agent_id);
    if (agent) await report(agent, row.kind, row.id, 'stopped');
  }
  await t.request('PUT', `/v2/${PROJECT}/settings/queue`, { token: w.admin, body: {} });
  for (const agent of agents) await t.request('PUT', `/v2/${PROJECT}/agents/${agent.id}/limits`, { token: w.admin, body: {} });
}

describe('backup queue rules', { timeout: 60_000 }, () => {
  beforeEach(endEverything);

  it('a project limit of 2: the third scheduled backup waits in queued at position 1, starts when a slot frees, in order', async () => {
    assert.equal((await t.request('PUT', `/v2/${PROJECT}/settings/queue`, { token: w.admin, body: { max_running_backups: 2 } })).status, 204);
    const first = await start(agents[0]!, true);
    const second = await start(agents[1]!, true);
    const third = await start(agents[2]!, true);
    const fourth = await start(agents[3]!, true);
    assert.deepEqual([first.state, first.queue_position, second.state, second.queue_position], ['start_scheduled', null, 'start_scheduled', null]);
    assert.deepEqual([third.state, third.queue_position, fourth.state, fourth.queue_position], ['queued', 1, 'queued', 2]);
    assert.deepEqual(await eventNames(third.id), ['backup_queued']);
    assert.deepEqual(await eventNames(second.id), [], "a scheduled backup that fits is the agent's to run: no start request");
    const listed = (await t.request('GET', `/v2/${PROJECT}/backups?sort_dir=asc`, { token: w.observer })).body.backups as any[];
    assert.deepEqual(
      listed.slice(-4).map((b) => b.queue_position),
      [null, null, 1, 2],
    );

    // A waiting backup cannot start working, whatever its agent says.
    const early = await report(agents[2]!, 'backup', third.id, 'in_progress');
    assert.equal(early.status, 409, early.text);
    assert.match(early.body.message, /waits in the queue/);
    assert.equal((await report(agents[2]!, 'backup', third.id, 'queued')).status, 204, 'the agent saying queued again changes nothing');

    // A user's own request runs at once even in a full project, and holds a slot: when the first backup ends, the
    // project still runs two.
    assert.equal((await t.request('PUT', `/v2/${PROJECT}/agents/${agents[0]!.id}/limits`, { token: w.admin, body: { max_running_jobs: 2 } })).status, 204);
    const manual = await start(agents[0]!);
    assert.deepEqual([manual.state, manual.queue_position], ['start_requested', null]);
    await finish(agents[0]!, first.id);
    await runAdmissionPass(t.server.ctx);
    assert.equal((await get(third.id)).queue_position, 1, 'the manual backup holds the slot that came free');

    await finish(agents[1]!, second.id);
    await runAdmissionPass(t.server.ctx);
    const admitted = await get(third.id);
    assert.deepEqual([admitted.state, admitted.queue_position], ['queued', null]);
    assert.deepEqual(await eventNames(third.id), ['backup_queued', 'backup_start_request']);
    assert.equal((await get(fourth.id)).queue_position, 1);
    assert.equal((await report(agents[2]!, 'backup', third.id, 'preparing')).status, 204);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/agents/${agents[3]!.id}/status`)).body.busy, false, 'a backup waiting in the queue does not make its agent busy');
  });

  it('an agent runs one job at a time unless its limit says more; a pending restore holds its agent', async () => {
    const a = agents[0]!;
    const b1 = await start(a, true);
    const b2 = await start(a, true);
    assert.equal(b2.queue_position, 1, 'the agent is busy with b1');
    assert.equal((await t.request('PUT', `/v2/${PROJECT}/agents/${a.id}/limits`, { token: w.admin, body: { max_running_jobs: 2 } })).status, 204);
    assert.deepEqual((await t.request('GET', `/v2/${PROJECT}/agents/${a.id}/limits`, { token: w.observer })).body, {
      max_running_jobs: 2,
      upload_bytes_per_second: null,
      download_bytes_per_second: null,
    });
    await runAdmissionPass(t.server.ctx);
    assert.equal((await get(b2.id)).queue_position, null, 'raising the agent limit admits the waiting backup');
    const document = await t.request('GET', `/v2/${PROJECT}/agents/${a.id}/configuration`, { token: a.token, headers: { 'x-agent-id': a.id } });
    assert.equal(document.body.system_preferences.job_controls.max_running_jobs, 2);

    // Finish b1 to have something to restore; then a restore onto the agent while b2 runs, and a new backup.
    await finish(a, b1.id);
    const restore = await t.request('POST', `/v2/${PROJECT}/restores`, {
      token: w.creator,
      body: { backup_id: b1.id, destination_agent_id: a.id, destination_path: '/tmp/r', overwrite_files: false },
    });
    assert.equal(restore.status, 201, restore.text);
    assert.equal(restore.body.state, 'start_requested', 'a restore never waits in the backup queue');
    const b3 = await start(a, true);
    assert.equal(b3.state, 'queued', "b2 and the restore fill the agent's two places");
    await report(a, 'restore', restore.body.id, 'completed');
    await runAdmissionPass(t.server.ctx);
    assert.equal((await get(b3.id)).queue_position, null);
  });

  it("the server-wide limit counts every project; another project's queue is its own", async () => {
    const otherAgent = await registerAgent(t, w.stranger, OTHER_PROJECT);
    const running = [];
    for (const agent of agents) running.push(await start(agent, true));
    assert.ok(
      running.every((b) => b.queue_position === null),
      'four backups fit the server limit of 4',
    );
    const res = await t.request('POST', `/v2/${OTHER_PROJECT}/configurations`, {
      token: w.stranger,
      body: {
        agent_id: otherAgent.id,
        name: 'x',
        enabled: true,
        schedule: null,
        retention: { days: 1 },
        inclusions: [{ type: 'folder', path: '/a/' }],
        exclusions: [],
        notifications: [{ type: 'email', destination: 'o@example.com', on_success: false, on_failure: true }],
      },
    });
    assert.equal(res.status, 201, res.text);
    const other = await t.request('POST', `/v2/${OTHER_PROJECT}/backups`, {
      token: otherAgent.token,
      headers: { 'x-agent-id': otherAgent.id },
      body: { configuration_id: res.body.id, state: 'start_scheduled' },
    });
    assert.equal(other.status, 201, other.text);
    assert.deepEqual([other.body.state, other.body.queue_position], ['queued', 1], 'the server is full');
    await finish(agents[0]!, running[0].id);
    await runAdmissionPass(t.server.ctx);
    const after = await t.request('GET', `/v2/${OTHER_PROJECT}/backups/${other.body.id}`, { token: w.stranger });
    assert.equal(after.body.queue_position, null);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/backups/${other.body.id}`)).status, 404);
    await t.request('PATCH', `/v2/${OTHER_PROJECT}/backups/${other.body.id}`, {
      token: otherAgent.token,
      headers: { ...patchHeaders, 'x-agent-id': otherAgent.id },
      raw: JSON.stringify([{ op: 'replace', path: '/state', value: 'stopped' }]),
    });
  });

  it('a user stops a waiting backup: it leaves the queue and never starts', async () => {
    const a = agents[1]!;
    const running = await start(a, true);
    const waiting = await start(a, true);
    assert.equal(waiting.queue_position, 1);
    const stop = await t.request('PATCH', `/v2/${PROJECT}/backups/${waiting.id}`, {
      token: w.creator,
      headers: patchHeaders,
      raw: JSON.stringify([{ op: 'replace', path: '/state', value: 'stop_requested' }]),
    });
    assert.equal(stop.status, 204, stop.text);
    assert.equal((await get(waiting.id)).queue_position, null);
    await finish(a, running.id);
    await runAdmissionPass(t.server.ctx);
    assert.deepEqual(await eventNames(waiting.id), ['backup_queued', 'backup_stop_request']);
    assert.equal((await report(a, 'backup', waiting.id, 'stopped')).status, 204);
  });

  it('the command line shows each waiting backup with its place: coffer queue and coffer backups', async () => {
    assert.equal((await t.request('PUT', `/v2/${PROJECT}/settings/queue`, { token: w.admin, body: { max_running_backups: 1 } })).status, 204);
    const running = await start(agents[0]!, true);
    const firstWaiting = await start(agents[1]!, true);
    const secondWaiting = await start(agents[2]!, true);
    assert.deepEqual([running.queue_position, firstWaiting.queue_position, secondWaiting.queue_position], [null, 1, 2]);
    const home = makeHome();
    try {
      const user = await t.request('POST', '/admin/users', { token: ADMIN_TOKEN, body: { username: 'queue-ops', password: 'queue-password-1', project_id: PROJECT, roles: ['cloudbackup:admin'] } });
      assert.equal(user.status, 201, user.text);
      const coffer = (args: string[]) => runCoffer(args, { home: home.home, env: { COFFER_PASSWORD: 'queue-password-1' } });
      assert.equal((await coffer(['login', '--api', t.url, '--user', 'queue-ops'])).code, 0);
      const queue = await coffer(['queue']);
      assert.equal(queue.code, 0, queue.stderr);
      assert.match(queue.stdout, /backups at once: 1 in this project/);
      const rows = queue.stdout.split('\n').filter((line) => /^\s*\d+\s/.test(line));
      assert.equal(rows.length, 2, queue.stdout);
      assert.match(rows[0]!, new RegExp(`^\\s*1\\s+${firstWaiting.id.slice(0, 8)}\\s+Nightly\\s+queued \\(#1\\)`));
      assert.match(rows[1]!, new RegExp(`^\\s*2\\s+${secondWaiting.id.slice(0, 8)}\\s+Nightly\\s+queued \\(#2\\)`));
      const backups = await coffer(['backups']);
      assert.equal(backups.code, 0, backups.stderr);
      const line = (id: string) => backups.stdout.split('\n').find((l) => l.startsWith(id.slice(0, 8))) ?? '';
      assert.match(line(firstWaiting.id), /queued \(#1\)/);
      assert.match(line(secondWaiting.id), /queued \(#2\)/);
      assert.doesNotMatch(line(running.id), /#\d/);
    } finally {
      home.remove();
    }
  });

  it('bad settings and limits → 400 naming the field; roles', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['settings/queue', { max_running_backups: 0 }, /max_running_backups must be at least 1/],
      ['settings/queue', { max_running_backups: -3 }, /max_running_backups must be at least 1/],
      ['settings/queue', { max_running_backups: 2.5 }, /max_running_backups must be an integer/],
      ['settings/queue', { start_jitter_seconds: -1 }, /start_jitter_seconds must be at least 0/],
      ['settings/queue', { start_jitter_seconds: 3601 }, /start_jitter_seconds must be at most 3600/],
      ['settings/queue', { max_running: 3 }, /max_running is not a queue setting/],
      ['settings/queue', [], /must be a JSON object/],
      [`agents/${agents[0]!.id}/limits`, { max_running_jobs: 0 }, /max_running_jobs must be at least 1/],
      [`agents/${agents[0]!.id}/limits`, { max_running_jobs: 'two' }, /max_running_jobs must be an integer/],
      [`agents/${agents[0]!.id}/limits`, { speed: 1 }, /speed is not a limit/],
      [`agents/${agents[0]!.id}/limits`, { upload_bytes_per_second: -5 }, /upload_bytes_per_second must be at least 1024/],
      [`agents/${agents[0]!.id}/limits`, { download_bytes_per_second: -1 }, /download_bytes_per_second must be at least 1024/],
      [`agents/${agents[0]!.id}/limits`, { upload_bytes_per_second: '5MB' }, /upload_bytes_per_second must be an integer/],
    ];
    for (const [where, body, expected] of cases) {
      const res = await t.request('PUT', `/v2/${PROJECT}/${where}`, { token: w.admin, body });
      assert.equal(res.status, 400, `${where} ${JSON.stringify(body)}: ${res.text}`);
      assert.match(JSON.stringify(res.body.errors ?? res.body), expected);
    }
    assert.deepEqual((await t.request('GET', `/v2/${PROJECT}/settings/queue`, { token: w.observer })).body, { max_running_backups: 10, start_jitter_seconds: 0, server_max_running_backups: 4 });
    assert.equal((await t.request('PUT', `/v2/${PROJECT}/settings/queue`, { token: w.creator, body: { max_running_backups: 5 } })).status, 403);
    assert.equal((await t.request('PUT', `/v2/${PROJECT}/agents/${agents[0]!.id}/limits`, { token: w.observer, body: {} })).status, 403);
    assert.equal((await t.request('PUT', `/v2/${PROJECT}/agents/${agents[0]!.id}/limits`, { token: agents[0]!.token, headers: { 'x-agent-id': agents[0]!.id }, body: {} })).status, 403);
    assert.equal((await t.request('GET', `/v2/${OTHER_PROJECT}/agents/${agents[0]!.id}/limits`, { token: w.stranger })).status, 404);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/settings/queue`, { token: null })).status, 401);
  });
});
