// Restore drills over the API with the agent's side played by its token: validation, roles, isolation, and a run
// through its state machine (restore → check task → passed / failed), with events, webhooks and the metric.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildWorld, depositVaultKey, OTHER_PROJECT, patchHeaders, PROJECT, type World } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

let t: TestServer;
let w: World;
let hooks: WebhookReceiver;
let configId: string;

async function newConfig(agentId: string): Promise<string> {
  const res = await t.request('POST', `/v2/${PROJECT}/configurations`, {
    token: w.creator,
    body: {
      agent_id: agentId,
      name: 'Web',
      enabled: true,
      schedule: null,
      retention: { days: 30 },
      inclusions: [{ type: 'folder', path: '/web/' }],
      exclusions: [],
      notifications: [{ type: 'email', destination: 'ops@example.com', on_success: false, on_failure: true }],
    },
  });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

async function completedBackup(configuration: string): Promise<string> {
  const started = await t.request('POST', `/v2/${PROJECT}/backups`, { token: w.creator, body: { configuration_id: configuration, state: 'start_requested' } });
  assert.equal(started.status, 201, started.text);
  const report = [
    { op: 'replace', path: '/state', value: 'completed' },
    { op: 'add', path: '/ended_time', value: new Date().toISOString() },
    { op: 'add', path: '/snapshot_id', value: 7 },
  ];
  const res = await t.request('PATCH', `/v2/${PROJECT}/backups/${started.body.id}`, { token: w.agent.token, raw: JSON.stringify(report), headers: patchHeaders });
  assert.equal(res.status, 204, res.text);
  return started.body.id;
}

const drillBody = (overrides: Record<string, unknown> = {}) => ({
  name: 'nightly',
  configuration_id: configId,
  target_path: '/var/tmp/drill',
  command: 'test -f web/index.html',
  timeout_seconds: 600,
  ...overrides,
});

async function createDrill(overrides: Record<string, unknown> = {}): Promise<any> {
  const res = await t.request('POST', `/v2/${PROJECT}/drills`, { token: w.creator, body: drillBody(overrides) });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

async function agentEvents(name: string): Promise<any[]> {
  const res = await t.request('GET', `/v2/${PROJECT}/agents/${w.agent.id}/events?sort_dir=asc&limit=1000`, { token: w.agent.token });
  assert.equal(res.status, 200, res.text);
  return res.body.events.filter((e: any) => e.event === name);
}

async function metricOf(drillId: string): Promise<number | undefined> {
  const text = (await t.request('GET', '/metrics', { token: null })).text;
  const line = text.split('\n').find((l) => l.startsWith('coffer_drill_last_success_timestamp_seconds{') && l.includes(`drill_id="${drillId}"`));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('restore drills over the API', { timeout: 60_000 }, () => {
  before(async () => {
    t = await startTestServer({ drillTargetCheckMs: 0, metricsCacheMs: 0 });
    w = await buildWorld(t, { tasks: true });
    configId = await newConfig(w.agent.id);
    hooks = await startWebhookReceiver();
    const hook = await t.request('POST', `/v2/${PROJECT}/webhooks`, { token: w.admin, body: { url: hooks.url, event_types: ['drill.passed', 'drill.failed'], secret: 'a-secret-of-24-bytes-ok!' } });
    assert.equal(hook.status, 201, hook.text);
  });
  after(async () => {
    await hooks?.close();
    await t?.close();
  });

  it('bad input → 400 naming the field, and nothing is stored', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [drillBody({ target_path: '/' }), /^target_path must not be "\/"/],
      [drillBody({ target_path: '//' }), /^target_path must not be "\/"/],
      [drillBody({ target_path: 'relative/dir' }), /^target_path must be an absolute path/],
      [drillBody({ target_path: '/var/../etc' }), /^target_path must not contain "\." or "\.\." segments/],
      [drillBody({ target_path: undefined }), /^target_path is required/],
      [drillBody({ command: '' }), /^command must not be empty/],
      [drillBody({ timeout_seconds: 0 }), /^timeout_seconds must be at least 10/],
      [drillBody({ schedule: { recurrence: ['RRULE:FREQ=MONTHLY'], time_zone: 'UTC' } }), /^schedule\.recurrence\[0\]/],
      [drillBody({ configuration_id: 'nope' }), /^configuration_id nope is not a configuration of this project/],
      [drillBody({ agent_id: 'nope' }), /^agent_id nope is not an agent of this project/],
      [drillBody({ colour: 'red' }), /^colour is not a drill field/],
    ];
    for (const [body, message] of cases) {
      const res = await t.request('POST', `/v2/${PROJECT}/drills`, { token: w.creator, body: JSON.parse(JSON.stringify(body)) });
      assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.status} ${res.text}`);
      assert.ok(
        res.body.errors.some((e: string) => message.test(e)),
        `${JSON.stringify(body)} → ${res.text}`,
      );
    }
    assert.equal((await t.request('GET', `/v2/${PROJECT}/drills`, { token: w.admin })).body.drills.length, 0);
  });

  it('roles and projects: observers read without the command, may not write; other projects see nothing', async () => {
    const drill = await createDrill({ name: 'roles' });
    assert.equal(drill.target_path, '/var/tmp/drill');
    assert.equal(drill.agent.id, w.agent.id, "the configuration's agent by default");
    assert.equal((await t.request('POST', `/v2/${PROJECT}/drills`, { token: w.observer, body: drillBody() })).status, 403);
    assert.equal((await t.request('POST', `/v2/${PROJECT}/drills/${drill.id}/runs`, { token: w.observer })).status, 403);
    assert.equal((await t.request('PATCH', `/v2/${PROJECT}/drills/${drill.id}`, { token: w.observer, body: { enabled: false } })).status, 403);
    assert.equal((await t.request('POST', `/v2/${PROJECT}/drills/${drill.id}/runs`, { token: w.agent.token })).status, 403);
    const seen = await t.request('GET', `/v2/${PROJECT}/drills/${drill.id}`, { token: w.observer });
    assert.equal(seen.status, 200);
    assert.equal('command' in seen.body, false);
    assert.equal((await t.request('GET', `/v2/${OTHER_PROJECT}/drills/${drill.id}`, { token: w.stranger })).status, 404);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/drills/${drill.id}`, { token: w.stranger })).status, 404);
    const patched = await t.request('PATCH', `/v2/${PROJECT}/drills/${drill.id}`, { token: w.creator, body: { target_path: '/' } });
    assert.equal(patched.status, 400);
    assert.match(patched.body.errors[0], /^target_path must not be "\/"/);
    assert.equal((await t.request('PATCH', `/v2/${PROJECT}/drills/${drill.id}`, { token: w.creator, body: { configuration_id: configId } })).status, 400);
    assert.equal((await t.request('DELETE', `/v2/${PROJECT}/drills/${drill.id}`, { token: w.creator })).status, 204);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/drills/${drill.id}`, { token: w.creator })).status, 404);
  });

  it('a run with no backup to drill fails at once, saying so, and is heard as drill.failed', async () => {
    const emptyConfig = await newConfig(w.agent.id);
    const drill = await createDrill({ name: 'no-backup', configuration_id: emptyConfig });
    const run = await t.request('POST', `/v2/${PROJECT}/drills/${drill.id}/runs`, { token: w.creator });
    assert.equal(run.status, 201, run.text);
    assert.equal(run.body.state, 'failed');
    assert.match(run.body.failure_reason, /has no completed, restorable backup to drill/);
    assert.equal(run.body.restore, null);
    const [delivery] = await hooks.waitFor(1);
    const body = JSON.parse(delivery!.body);
    assert.equal(body.type, 'drill.failed');
    assert.equal(body.data?.drill_run?.id ?? body.drill_run?.id, run.body.id);
    assert.equal(await metricOf(drill.id), 0, 'never passed');
  });

  it('a run restores, then checks as a task with the backup as droplet; SUCCEEDED passes, FAILED fails', async () => {
    const backupId = await completedBackup(configId);
    const drill = await createDrill({ name: 'flow' });
    for (const [outcome, expected] of [
      ['SUCCEEDED', 'passed'],
      ['FAILED', 'failed'],
    ] as const) {
      const started = await t.request('POST', `/v2/${PROJECT}/drills/${drill.id}/runs`, { token: w.creator });
      assert.equal(started.status, 201, started.text);
      assert.equal(started.body.state, 'restoring');
      assert.equal(started.body.backup.id, backupId);
      const restoreId = started.body.restore.id;
      const request = (await agentEvents('restore_start_request')).find((e) => e.restore.id === restoreId);
      assert.equal(request.restore.scratch, true);
      assert.equal(request.restore.destination_path, '/var/tmp/drill');
      assert.equal(request.restore.overwrite_files, false);
      const busy = await t.request('DELETE', `/v2/${PROJECT}/drills/${drill.id}`, { token: w.creator });
      assert.equal(busy.status, 409, 'not deleted while a run is going');
      assert.match(busy.body.message, /has a run in progress/);

      const restoreReport = [
        { op: 'replace', path: '/state', value: 'completed' },
        { op: 'replace', path: '/files_restored', value: 3 },
        { op: 'replace', path: '/bytes_restored', value: 1234 },
      ];
      const reported = await t.request('PATCH', `/v2/${PROJECT}/restores/${restoreId}`, { token: w.agent.token, raw: JSON.stringify(restoreReport), headers: patchHeaders });
      assert.equal(reported.status, 204, reported.text);
      const checking = (await t.request('GET', `/v2/${PROJECT}/drill-runs/${started.body.id}`, { token: w.observer })).body;
      assert.equal(checking.state, 'checking');
      assert.equal(checking.restore.files_restored, 3);
      const taskId = checking.check.task_guid;
      const task = (await t.request('GET', `/v3/tasks/${taskId}`, { token: w.creator })).body;
      assert.equal(task.droplet_guid, backupId);
      assert.equal(task.command, 'test -f web/index.html');
      const taskStart = (await agentEvents('task_start_request')).find((e) => e.task.guid === taskId);
      assert.deepEqual(Object.keys(taskStart.drill_run).sort(), ['deadline', 'id', 'restore_id']);
      assert.equal(taskStart.drill_run.restore_id, restoreId);

      const taskReport = [{ op: 'replace', path: '/state', value: outcome }, ...(outcome === 'FAILED' ? [{ op: 'replace', path: '/result/failure_reason', value: 'Exited with status 1' }] : [])];
      const ended = await t.request('PATCH', `/v3/tasks/${taskId}`, { token: w.agent.token, raw: JSON.stringify(taskReport), contentType: 'application/json-patch+json' });
      assert.equal(ended.status, 200, ended.text);
      const run = (await t.request('GET', `/v2/${PROJECT}/drill-runs/${started.body.id}`, { token: w.observer })).body;
      assert.equal(run.state, expected);
      assert.equal(run.check.state, outcome);
      if (expected === 'failed') assert.equal(run.failure_reason, 'The check failed: Exited with status 1.');
      const streamed = await agentEvents(`drill_${expected}`);
      assert.ok(
        streamed.some((e) => e.drill_run.id === run.id),
        `drill_${expected} on the agent's stream`,
      );
    }
    const deliveries = await hooks.waitFor(3);
    assert.deepEqual(
      deliveries.slice(1).map((d) => JSON.parse(d.body).type),
      ['drill.passed', 'drill.failed'],
    );
    const last = (await t.request('GET', `/v2/${PROJECT}/drills/${drill.id}`, { token: w.creator })).body;
    assert.equal(last.last_run.state, 'failed');
    const metric = await metricOf(drill.id);
    assert.ok(metric !== undefined && metric > Date.now() / 1000 - 60, `last success metric ${metric}`);
    const runs = await t.request('GET', `/v2/${PROJECT}/drills/${drill.id}/runs?limit=1`, { token: w.observer });
    assert.equal(runs.body.drill_runs.length, 1);
    assert.equal(runs.body.drill_runs[0].state, 'failed', 'newest first');
    assert.match(runs.body.links[0].href, /marker=/);
  });

  it("on another agent: refused with the reason until the server holds the vault's key, then restored there", async () => {
    await completedBackup(configId);
    const drill = await createDrill({ name: 'elsewhere', agent_id: w.otherAgent.id });
    assert.equal(drill.agent.id, w.otherAgent.id);
    const refused = await t.request('POST', `/v2/${PROJECT}/drills/${drill.id}/runs`, { token: w.creator });
    assert.equal(refused.body.state, 'failed');
    assert.match(refused.body.failure_reason, /^The drill's agent cannot open the backup's vault: The server holds no key for the backup's vault yet/);
    await depositVaultKey(t, w.agent);
    const started = await t.request('POST', `/v2/${PROJECT}/drills/${drill.id}/runs`, { token: w.creator });
    assert.equal(started.body.state, 'restoring', started.text);
    const restore = (await t.request('GET', `/v2/${PROJECT}/restores/${started.body.restore.id}`, { token: w.creator })).body;
    assert.equal(restore.destination_agent?.id ?? restore.agent?.id, w.otherAgent.id);
    // Failed on that agent (say the folder was not empty): the run fails with the restore's reason, and no task starts.
    const refusal = {
      count: 1,
      reason: 'target_not_empty',
      diagnostics: 'x',
      list: [{ index: 0, path: '', type: 'phx_exception', exception: { code: 0, description: "The drill's scratch folder /var/tmp/drill is not empty", details: '' } }],
    };
    const report = [
      { op: 'replace', path: '/state', value: 'failed' },
      { op: 'replace', path: '/errors', value: refusal },
    ];
    const reported = await t.request('PATCH', `/v2/${PROJECT}/restores/${started.body.restore.id}`, { token: w.otherAgent.token, raw: JSON.stringify(report), headers: patchHeaders });
    assert.equal(reported.status, 204, reported.text);
    const run = (await t.request('GET', `/v2/${PROJECT}/drill-runs/${started.body.id}`, { token: w.creator })).body;
    assert.equal(run.state, 'failed');
    assert.equal(run.check, null);
    assert.match(run.failure_reason, /ended failed, 1 error \(target_not_empty\)\. First error: The drill's scratch folder \/var\/tmp\/drill is not empty$/);
  });

  it('the schedule starts a run once per due time, on one node only, and not while the previous run is going', async () => {
    const { startDueDrills } = await import('../../src/resources/drills/drill-scheduler.js');
    await completedBackup(configId);
    const drill = await createDrill({ name: 'scheduled', schedule: { recurrence: ['RRULE:FREQ=HOURLY;INTERVAL=1'], time_zone: 'UTC' } });
    const due = Date.parse(drill.next_run_time);
    assert.ok(due > Date.now() && due <= Date.now() + 3_600_000, drill.next_run_time);
    const runsOf = async () => (await t.request('GET', `/v2/${PROJECT}/drills/${drill.id}/runs`, { token: w.creator })).body.drill_runs;
    assert.equal(await startDueDrills(t.server.ctx, new Date(due - 1_000)), 0, 'not yet due');
    // Two nodes checking at the same moment: one claims the time.
    const started = await Promise.all([startDueDrills(t.server.ctx, new Date(due + 1_000)), startDueDrills(t.server.ctx, new Date(due + 1_000))]);
    assert.equal(started[0] + started[1], 1);
    const [run] = await runsOf();
    assert.equal(run.started_by, 'schedule');
    assert.equal(run.scheduled_time, drill.next_run_time);
    assert.equal(run.state, 'restoring');
    const after = (await t.request('GET', `/v2/${PROJECT}/drills/${drill.id}`, { token: w.creator })).body;
    assert.equal(Date.parse(after.next_run_time), due + 3_600_000);
    // The next hour comes while that run still restores: skipped, and the time after it is claimed.
    assert.equal(await startDueDrills(t.server.ctx, new Date(due + 3_601_000)), 0);
    assert.equal((await runsOf()).length, 1);
    const disabled = await t.request('PATCH', `/v2/${PROJECT}/drills/${drill.id}`, { token: w.creator, body: { enabled: false } });
    assert.equal(disabled.body.next_run_time, null);
  });

  it('a run past its timeout fails, and its check task is cancelled', async () => {
    const { failOverdueDrillRuns } = await import('../../src/resources/drills/drill-scheduler.js');
    const drill = await createDrill({ name: 'slow', timeout_seconds: 10 });
    const started = await t.request('POST', `/v2/${PROJECT}/drills/${drill.id}/runs`, { token: w.creator });
    const restoreId = started.body.restore.id;
    await t.request('PATCH', `/v2/${PROJECT}/restores/${restoreId}`, { token: w.agent.token, raw: JSON.stringify([{ op: 'replace', path: '/state', value: 'completed' }]), headers: patchHeaders });
    const taskId = (await t.request('GET', `/v2/${PROJECT}/drill-runs/${started.body.id}`, { token: w.creator })).body.check.task_guid;
    assert.equal(await failOverdueDrillRuns(t.server.ctx, new Date(Date.now() + 11_000)), 1);
    const run = (await t.request('GET', `/v2/${PROJECT}/drill-runs/${started.body.id}`, { token: w.creator })).body;
    assert.equal(run.state, 'failed');
    assert.match(run.failure_reason, /did not finish within its timeout of 10 s \(it was still checking\)/);
    assert.equal((await t.request('GET', `/v3/tasks/${taskId}`, { token: w.creator })).body.state, 'CANCELING');
  });
});
