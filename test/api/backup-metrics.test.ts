// Backup-health gauges on /metrics, read from the database: two configurations (one whose last backup failed), agents
// online and never seen, job and delivery counts, a deleted configuration gone, labels escaped, and the metrics token.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { buildWorld, OTHER_PROJECT, patchHeaders, PROJECT, registerAgent, agentRegistration, type World } from '../helpers/fixtures.js';
import { parsePrometheusText, sampleValue, samplesOf, type PromSample } from '../helpers/prometheus-text.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

const ONLY_FAILURES = [{ type: 'email', destination: 'ops@example.com', on_success: false, on_failure: true }];
const epoch = (iso: string) => Date.parse(iso) / 1000;

describe('backup-health metrics', { timeout: 120_000 }, () => {
  let t: TestServer;
  let w: World;
  let receiver: WebhookReceiver;

  before(async () => {
    receiver = await startWebhookReceiver();
    // No SMTP: the e-mail deliveries end failed, which the delivery gauges must show.
    t = await startTestServer({ metricsCacheMs: 0, deliveryPollMs: 100, deliveryRetryBaseMs: 100, deliveryTimeoutMs: 2000 });
    w = await buildWorld(t);
  });
  after(async () => {
    await t?.close();
    await receiver?.close();
  });

  async function newConfig(name: string, schedule: unknown, notifications: unknown[] = ONLY_FAILURES, agent = w.agent.id, project = PROJECT, token = w.creator): Promise<string> {
    const res = await t.request('POST', `/v2/${project}/configurations`, {
      token,
      body: { agent_id: agent, name, enabled: true, schedule, retention: { days: 30 }, inclusions: [{ type: 'folder', path: '/srv/' }], exclusions: [], notifications },
    });
    assert.equal(res.status, 201, res.text);
    return res.body.id;
  }

  async function runBackup(configurationId: string, state: string, started: string, ended: string, bytes: number): Promise<string> {
    const created = await t.request('POST', `/v2/${PROJECT}/backups`, { token: w.creator, body: { configuration_id: configurationId, state: 'start_requested' } });
    assert.equal(created.status, 201, created.text);
    const id = created.body.id;
    const res = await t.request('PATCH', `/v2/${PROJECT}/backups/${id}`, {
      token: w.agent.token,
      headers: patchHeaders,
      raw: JSON.stringify([
        { op: 'replace', path: '/state', value: state },
        { op: 'add', path: '/started_time', value: started },
        { op: 'add', path: '/ended_time', value: ended },
        { op: 'add', path: '/bytes_searched', value: bytes * 10 },
        { op: 'add', path: '/bytes_backed_up', value: bytes },
      ]),
    });
    assert.equal(res.status, 204, res.text);
    return id;
  }

  async function scrape(headers: Record<string, string> = {}): Promise<PromSample[]> {
    const res = await fetch(`${t.url}/metrics`, { headers });
    assert.equal(res.status, 200);
    return parsePrometheusText(await res.text());
  }

  it('reports per configuration, per agent, jobs by state and deliveries by outcome, as stored', async () => {
    const hook = await t.request('POST', `/v2/${PROJECT}/webhooks`, { token: w.creator, body: { url: receiver.url, event_types: ['backup.failed'], secret: randomBytes(16).toString('hex') } });
    assert.equal(hook.status, 201, hook.text);
    const nightly = { recurrence: ['RRULE:FREQ=DAILY;BYHOUR=2;BYMINUTE=0'], time_zone: 'UTC' };
    // A name a label must escape.
    const quoted = await newConfig('Files "A" \\ web', nightly);
    const mail = await newConfig('Mail B', null);
    await runBackup(quoted, 'completed', '2026-01-05T01:00:00.000000Z', '2026-01-05T01:02:30.000000Z', 5_000);
    await runBackup(mail, 'completed', '2026-01-04T03:00:00.000000Z', '2026-01-04T03:10:00.000000Z', 7_000);
    await runBackup(mail, 'failed', '2026-01-05T03:00:00.000000Z', '2026-01-05T03:00:42.000000Z', 11);
    // Registered and never logged in: never seen, offline.
    const silent = await t.request('POST', `/v2/${PROJECT}/agents`, { token: w.admin, body: agentRegistration({ name: 'Silent Host' }) });
    assert.equal(silent.status, 201, silent.text);
    await receiver.waitFor(1, 5_000);

    // Both deliveries reach their end (the webhook delivered, the e-mail failed for want of SMTP) before the check.
    let m: PromSample[] = [];
    for (const deadline = Date.now() + 5_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      m = await scrape();
      if (samplesOf(m, 'coffer_deliveries', { project_id: PROJECT, state: 'pending' }).every((s) => s.value === 0) && samplesOf(m, 'coffer_deliveries', { project_id: PROJECT }).length >= 2) break;
    }

    const a = { configuration_id: quoted };
    assert.equal(sampleValue(m, 'coffer_backup_last_success_timestamp_seconds', a), epoch('2026-01-05T01:02:30Z'));
    assert.equal(sampleValue(m, 'coffer_backup_last_run_timestamp_seconds', a), epoch('2026-01-05T01:02:30Z'));
    assert.equal(sampleValue(m, 'coffer_backup_last_state', { ...a, state: 'completed' }), 1);
    assert.equal(sampleValue(m, 'coffer_backup_last_state', { ...a, state: 'failed' }), 0);
    assert.equal(sampleValue(m, 'coffer_backup_last_duration_seconds', a), 150);
    assert.equal(sampleValue(m, 'coffer_backup_last_bytes_backed_up', a), 5_000);
    assert.equal(sampleValue(m, 'coffer_backup_last_bytes_searched', a), 50_000);
    assert.equal(sampleValue(m, 'coffer_configuration_scheduled', a), 1);
    const labels = samplesOf(m, 'coffer_backup_last_run_timestamp_seconds', a)[0]!.labels;
    assert.deepEqual(labels, { project_id: PROJECT, configuration_id: quoted, configuration_name: 'Files "A" \\ web', agent_id: w.agent.id, agent_name: 'Web Server' });

    const b = { configuration_id: mail };
    assert.equal(sampleValue(m, 'coffer_backup_last_success_timestamp_seconds', b), epoch('2026-01-04T03:10:00Z'), 'the failed backup is not a success');
    assert.equal(sampleValue(m, 'coffer_backup_last_run_timestamp_seconds', b), epoch('2026-01-05T03:00:42Z'));
    assert.equal(sampleValue(m, 'coffer_backup_last_state', { ...b, state: 'failed' }), 1);
    assert.deepEqual(
      samplesOf(m, 'coffer_backup_last_state', b)
        .filter((s) => s.value === 1)
        .map((s) => s.labels.state),
      ['failed'],
      'exactly one state is current',
    );
    assert.equal(sampleValue(m, 'coffer_backup_last_duration_seconds', b), 42);
    assert.equal(sampleValue(m, 'coffer_backup_last_bytes_backed_up', b), 11);
    assert.equal(sampleValue(m, 'coffer_configuration_scheduled', b), 0);

    const agentSeen = sampleValue(m, 'coffer_agent_last_seen_timestamp_seconds', { agent_id: w.agent.id });
    assert.ok(Math.abs(agentSeen - Date.now() / 1000) < 120, `last seen ${agentSeen} is about now`);
    assert.equal(sampleValue(m, 'coffer_agent_online', { agent_id: w.agent.id, agent_name: 'Web Server' }), 1);
    assert.equal(sampleValue(m, 'coffer_agent_online', { agent_id: silent.body.id, agent_name: 'Silent Host' }), 0);
    assert.equal(sampleValue(m, 'coffer_agent_last_seen_timestamp_seconds', { agent_id: silent.body.id }), 0);

    assert.equal(sampleValue(m, 'coffer_jobs', { project_id: PROJECT, kind: 'backup', state: 'completed' }), 2);
    assert.equal(sampleValue(m, 'coffer_jobs', { project_id: PROJECT, kind: 'backup', state: 'failed' }), 1);
    assert.equal(sampleValue(m, 'coffer_deliveries', { project_id: PROJECT, channel: 'webhook', state: 'delivered' }), 1);
    assert.equal(sampleValue(m, 'coffer_deliveries', { project_id: PROJECT, channel: 'email', state: 'failed' }), 1);
    assert.equal(sampleValue(m, 'coffer_delivery_attempts', { project_id: PROJECT, channel: 'webhook', outcome: 'delivered' }), 1);
    assert.equal(sampleValue(m, 'coffer_database_metrics_up'), 1);
    // No label carries a job id.
    assert.ok(m.every((s) => !Object.keys(s.labels).some((k) => /job|backup_id/.test(k))));
  });

  it('a configuration without any backup reports 0 for its last success; a deleted one disappears; other projects keep their own project_id', async () => {
    const other = await registerAgent(t, w.stranger, OTHER_PROJECT);
    const theirs = await newConfig('Theirs', null, ONLY_FAILURES, other.id, OTHER_PROJECT, w.stranger);
    const fresh = await newConfig(`Fresh ${randomBytes(3).toString('hex')}`, null);
    let m = await scrape();
    assert.equal(sampleValue(m, 'coffer_backup_last_success_timestamp_seconds', { configuration_id: fresh }), 0);
    assert.equal(samplesOf(m, 'coffer_backup_last_state', { configuration_id: fresh }).length, 0);
    assert.equal(samplesOf(m, 'coffer_backup_last_duration_seconds', { configuration_id: fresh }).length, 0);
    assert.equal(sampleValue(m, 'coffer_backup_last_success_timestamp_seconds', { configuration_id: theirs, project_id: OTHER_PROJECT }), 0);
    const deleted = await t.request('DELETE', `/v2/${PROJECT}/configurations/${fresh}`, { token: w.admin });
    assert.ok(deleted.status === 204 || deleted.status === 200, deleted.text);
    m = await scrape();
    assert.equal(samplesOf(m, 'coffer_backup_last_success_timestamp_seconds', { configuration_id: fresh }).length, 0);
  });
});

describe('metrics cache and token', { timeout: 60_000 }, () => {
  let t: TestServer;
  let w: World;
  before(async () => {
    t = await startTestServer({ metricsCacheMs: 60_000, metricsToken: 'metrics-token-0123456789' });
    w = await buildWorld(t);
  });
  after(async () => t?.close());

  it('answers 401 without the token or with another, and serves cached values within the cache period', async () => {
    assert.equal((await fetch(`${t.url}/metrics`)).status, 401);
    assert.equal((await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer metrics-token-0123456789x' } })).status, 401);
    const read = async () => parsePrometheusText(await (await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer metrics-token-0123456789' } })).text());
    const first = await read();
    const agents = samplesOf(first, 'coffer_agent_online', { project_id: PROJECT }).length;
    assert.equal(agents, 2);
    await registerAgent(t, w.admin);
    assert.equal(samplesOf(await read(), 'coffer_agent_online', { project_id: PROJECT }).length, 2, 'read from the cache');
  });
});
