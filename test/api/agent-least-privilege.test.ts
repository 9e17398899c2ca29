import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { buildWorld, patchHeaders, PROJECT, type RegisteredAgent, type World } from '../helpers/fixtures.js';

/*
 * A stolen agent token (or a compromised host) must not read or touch the rest of its project: another agent's
 * details (with its host's addresses), configurations, jobs, activities, events, log files, requests and vault are
 * invisible (404, as another project's), and the project-wide lists are for people (403). Its own agent still works.
 */

let t: TestServer;
let w: World;
let victim: RegisteredAgent;
let thief: RegisteredAgent;
// Filled in by before().
const ids = {} as Record<'configuration' | 'thiefConfiguration' | 'backup' | 'thiefBackup' | 'running' | 'restore' | 'cleanup' | 'logfile' | 'encryptionRequest', string>;

const asAgent = (agent: RegisteredAgent) => ({ token: agent.token, headers: { 'x-agent-id': agent.id } });
const v2 = (path: string) => `/v2/${PROJECT}${path}`;

async function configuration(agentId: string): Promise<string> {
  const res = await t.request('POST', v2('/configurations'), {
    token: w.creator,
    body: {
      agent_id: agentId,
      name: 'Nightly',
      enabled: true,
      schedule: null,
      retention: { days: 30 },
      inclusions: [{ type: 'folder', path: '/srv/' }],
      exclusions: [],
      notifications: [{ type: 'email', destination: 'ops@example.com', on_success: false, on_failure: true }],
    },
  });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

async function completedBackup(configurationId: string, agent: RegisteredAgent): Promise<string> {
  const started = await t.request('POST', v2('/backups'), { token: w.creator, body: { configuration_id: configurationId, state: 'start_requested' } });
  assert.equal(started.status, 201, started.text);
  const report = [
    { op: 'replace', path: '/state', value: 'completed' },
    { op: 'add', path: '/ended_time', value: new Date().toISOString() },
    { op: 'add', path: '/snapshot_id', value: 1111 },
  ];
  const res = await t.request('PATCH', v2(`/backups/${started.body.id}`), { token: agent.token, raw: JSON.stringify(report), headers: patchHeaders });
  assert.equal(res.status, 204, res.text);
  return started.body.id;
}

before(async () => {
  t = await startTestServer();
  w = await buildWorld(t);
  victim = w.agent;
  thief = w.otherAgent;
  ids.configuration = await configuration(victim.id);
  ids.thiefConfiguration = await configuration(thief.id);
  ids.backup = await completedBackup(ids.configuration, victim);
  ids.thiefBackup = await completedBackup(ids.thiefConfiguration, thief);
  const running = await t.request('POST', v2('/backups'), { token: w.creator, body: { configuration_id: ids.configuration, state: 'start_requested' } });
  assert.equal(running.status, 201, running.text);
  ids.running = running.body.id;
  const restore = await t.request('POST', v2('/restores'), {
    token: w.creator,
    body: { backup_id: ids.backup, destination_agent_id: victim.id, destination_path: '/tmp/back', overwrite_files: false, encrypted_password_hex: null, inclusions: [], exclusions: [] },
  });
  assert.equal(restore.status, 201, restore.text);
  ids.restore = restore.body.id;
  const cleanup = await t.request('POST', v2('/cleanups'), { token: w.creator, body: { agent_id: victim.id, state: 'start_requested' } });
  assert.equal(cleanup.status, 201, cleanup.text);
  ids.cleanup = cleanup.body.id;
  const logfile = await t.request('POST', v2(`/agents/${victim.id}/logfiles`), { token: w.admin });
  assert.equal(logfile.status, 202, logfile.text);
  ids.logfile = String(logfile.headers.get('location')).split('/').pop()!;
  const verification = await t.request('POST', v2(`/agents/${victim.id}/vault-encryption-requests`), {
    token: w.creator,
    body: { old_encrypted_password_hex: null, new_encrypted_password_hex: 'ab'.repeat(256) },
  });
  assert.equal(verification.status, 202, verification.text);
  ids.encryptionRequest = String(verification.headers.get('location')).split('/').pop()!;
});
after(async () => t.close());

describe("an agent's token and the rest of its project", { timeout: 60_000 }, () => {
  it('another agent and everything under it is 404, exactly like an unknown id', async () => {
    const paths = [
      `/agents/${victim.id}`,
      `/agents/${victim.id}/status`,
      `/agents/${victim.id}/activities`,
      `/agents/${victim.id}/configuration`,
      `/agents/${victim.id}/configurations`,
      `/agents/${victim.id}/events?wait=0`,
      `/agents/${victim.id}/quota`,
      `/agents/${victim.id}/logfiles`,
      `/agents/${victim.id}/logfiles/${ids.logfile}`,
      `/agents/${victim.id}/vault-encryption-requests/${ids.encryptionRequest}`,
    ];
    for (const path of paths) {
      const res = await t.request('GET', v2(path), asAgent(thief));
      assert.equal(res.status, 404, `${path}: ${res.text}`);
      assert.equal(res.body.message, 'Agent not found.', path);
    }
  });

  it("another agent's configurations and jobs are 404 with their own not-found message", async () => {
    const cases: [string, string][] = [
      [`/configurations/${ids.configuration}`, 'Configuration not found.'],
      [`/configurations/${ids.configuration}/activities`, 'Configuration not found.'],
      [`/configurations/${ids.configuration}/retention`, 'Configuration not found.'],
      [`/configurations/${ids.configuration}/events?wait=0`, 'Configuration not found.'],
      [`/backups/${ids.backup}`, 'Backup not found.'],
      [`/backups/${ids.backup}/errors`, 'Backup not found.'],
      [`/backups/${ids.backup}/events?wait=0`, 'Backup not found.'],
      [`/restores/${ids.restore}`, 'Restore not found.'],
      [`/restores/${ids.restore}/errors`, 'Restore not found.'],
      [`/cleanups/${ids.cleanup}`, 'Cleanup not found.'],
      [`/cleanups/${ids.cleanup}/events?wait=0`, 'Cleanup not found.'],
    ];
    for (const [path, message] of cases) {
      const res = await t.request('GET', v2(path), asAgent(thief));
      assert.equal(res.status, 404, `${path}: ${res.text}`);
      assert.equal(res.body.message, message, path);
      // The victim's own token still reads each of them.
      assert.equal((await t.request('GET', v2(path), asAgent(victim))).status, 200, `victim ${path}`);
    }
  });

  it("another agent's jobs, configurations, vault and requests cannot be acted on; nothing changes", async () => {
    const stop = [{ op: 'replace', path: '/state', value: 'failed' }];
    for (const path of [`/backups/${ids.running}`, `/restores/${ids.restore}`, `/cleanups/${ids.cleanup}`]) {
      const res = await t.request('PATCH', v2(path), { ...asAgent(thief), raw: JSON.stringify(stop), headers: { ...patchHeaders, 'x-agent-id': thief.id } });
      assert.equal(res.status, 404, `${path}: ${res.text}`);
    }
    const configPatch = await t.request('PATCH', v2(`/configurations/${ids.configuration}`), {
      ...asAgent(thief),
      raw: JSON.stringify([{ op: 'replace', path: '/enabled', value: false }]),
      headers: { ...patchHeaders, 'x-agent-id': thief.id },
    });
    assert.equal(configPatch.status, 404, configPatch.text);
    const report = await t.request('POST', v2(`/agents/${victim.id}/vault-encryption-requests/${ids.encryptionRequest}`), { ...asAgent(thief), body: { action: 'enabled', succeeded: true } });
    assert.equal(report.status, 404, report.text);
    const logfile = await t.request('PATCH', v2(`/agents/${victim.id}/logfiles/${ids.logfile}`), {
      ...asAgent(thief),
      raw: JSON.stringify([{ op: 'replace', path: '/state', value: 'started' }]),
      headers: { ...patchHeaders, 'x-agent-id': thief.id },
    });
    assert.equal(logfile.status, 404, logfile.text);
    const events = await t.request('POST', v2(`/agents/${victim.id}/events`), { ...asAgent(thief), body: { event: 'startup' } });
    assert.equal(events.status, 404, events.text);
    assert.equal((await t.request('GET', `/vaults/${victim.vaultId}/files?prefix=`, asAgent(thief))).status, 404);
    assert.equal(
      (await t.request('PUT', `/vaults/${victim.vaultId}/files/data/ab12`, { ...asAgent(thief), raw: 'x', headers: { 'content-type': 'application/octet-stream', 'x-agent-id': thief.id } })).status,
      404,
    );

    const db = t.server.ctx.store.db;
    const jobs = await db.selectFrom('jobs').select(['id', 'state']).where('id', 'in', [ids.running, ids.restore, ids.cleanup]).execute();
    for (const job of jobs) assert.notEqual(job.state, 'failed', job.id);
    const config = await db.selectFrom('configurations').select('enabled').where('id', '=', ids.configuration).executeTakeFirstOrThrow();
    assert.equal(Number(config.enabled), 1);
    const agent = await db.selectFrom('agents').select('vault_encrypted').where('id', '=', victim.id).executeTakeFirstOrThrow();
    assert.equal(Number(agent.vault_encrypted), 0);
  });

  it("the project-wide lists are for people: 403 for an agent's token, 200 for an observer", async () => {
    for (const path of [
      '/agents',
      '/configurations',
      '/backups',
      '/restores',
      '/cleanups',
      '/activities',
      '/events?wait=0',
      '/deliveries',
      '/webhooks',
      '/settings/summaries',
      '/settings/alerts',
      '/drills',
      '/drill-runs',
    ]) {
      const res = await t.request('GET', v2(path), asAgent(thief));
      assert.equal(res.status, 403, `${path}: ${res.text}`);
      assert.match(res.body.message, /an agent reads only its own agent/, path);
      assert.equal((await t.request('GET', v2(path), { token: w.observer })).status, 200, `observer ${path}`);
    }
  });

  it('its own agent, configuration document, jobs and events still work', async () => {
    for (const path of [
      `/agents/${thief.id}`,
      `/agents/${thief.id}/status`,
      `/agents/${thief.id}/configuration`,
      `/agents/${thief.id}/configurations`,
      `/agents/${thief.id}/activities`,
      `/agents/${thief.id}/events?wait=0`,
      `/agents/${thief.id}/quota`,
      `/configurations/${ids.thiefConfiguration}`,
      `/backups/${ids.thiefBackup}`,
      `/backups/${ids.thiefBackup}/errors`,
      '/quota',
    ]) {
      const res = await t.request('GET', v2(path), asAgent(thief));
      assert.equal(res.status, 200, `${path}: ${res.text}`);
    }
    const document = await t.request('GET', v2(`/agents/${thief.id}/configuration`), asAgent(thief));
    assert.deepEqual(
      document.body.configurations.map((c: { id: string }) => c.id),
      [ids.thiefConfiguration],
    );
    const activities = await t.request('GET', v2(`/agents/${thief.id}/activities`), asAgent(thief));
    assert.ok(activities.body.activities.every((a: { agent?: { id: string } }) => JSON.stringify(a).includes(thief.id)));
  });

  it('users still see every agent of the project', async () => {
    const list = await t.request('GET', v2('/agents'), { token: w.observer });
    assert.deepEqual(list.body.agents.map((a: { id: string }) => a.id).sort(), [victim.id, thief.id].sort());
    assert.equal((await t.request('GET', v2(`/backups/${ids.backup}`), { token: w.observer })).status, 200);
  });
});
