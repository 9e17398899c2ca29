import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { buildWorld, depositVaultKey, patchHeaders, PROJECT, type World } from '../helpers/fixtures.js';

let t: TestServer;
let w: World;
/** Job ids by role in the scenario (filled in by before()). */
const ids = {} as Record<'backupA1' | 'backupB1' | 'cleanup' | 'restore' | 'backupA2', string>;
let configA: string;
let configB: string;

before(async () => {
  t = await startTestServer();
  w = await buildWorld(t);
  configA = await newConfig(w.agent.id);
  configB = await newConfig(w.otherAgent.id);
  ids.backupA1 = await post('backups', { configuration_id: configA, state: 'start_requested' });
  await report('backups', ids.backupA1, w.agent.token, [
    { op: 'replace', path: '/state', value: 'completed' },
    { op: 'add', path: '/snapshot_id', value: 1 },
    { op: 'add', path: '/ended_time', value: new Date().toISOString() },
  ]);
  ids.backupB1 = await post('backups', { configuration_id: configB, state: 'start_requested' });
  ids.cleanup = await post('cleanups', { agent_id: w.agent.id, state: 'start_requested' });
  // A restore onto another agent needs the server-held copy of the source vault's key.
  await depositVaultKey(t, w.agent);
  ids.restore = await post('restores', { backup_id: ids.backupA1, destination_agent_id: w.otherAgent.id, destination_path: '/tmp/r' });
  ids.backupA2 = await post('backups', { configuration_id: configA, state: 'start_requested' });
});
after(async () => t.close());

async function newConfig(agentId: string): Promise<string> {
  const res = await t.request('POST', `/v2/${PROJECT}/configurations`, {
    token: w.creator,
    body: {
      agent_id: agentId,
      name: 'c',
      enabled: true,
      schedule: null,
      retention: { days: 0 },
      inclusions: [{ type: 'folder', path: '/' }],
      exclusions: [],
      notifications: [{ type: 'email', destination: 'a@example.com', on_success: false, on_failure: true }],
    },
  });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

async function post(collection: string, body: unknown): Promise<string> {
  const res = await t.request('POST', `/v2/${PROJECT}/${collection}`, { token: w.creator, body });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

async function report(collection: string, id: string, token: string, ops: unknown) {
  const res = await t.request('PATCH', `/v2/${PROJECT}/${collection}/${id}`, { token, raw: JSON.stringify(ops), headers: patchHeaders });
  assert.equal(res.status, 204, res.text);
}

const list = (path: string, token = w.observer) => t.request('GET', `/v2/${PROJECT}/${path}`, { token });
const idsOf = (body: { activities: { id: string }[] }) => body.activities.map((a) => a.id);

describe('activities of the project', () => {
  it('every job, most recently updated first, in the §3.6 shape', async () => {
    const res = await list('activities');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(idsOf(res.body), [ids.backupA2, ids.restore, ids.cleanup, ids.backupB1, ids.backupA1]);
    const byId = new Map(res.body.activities.map((a: { id: string }) => [a.id, a]));
    const backup = byId.get(ids.backupA1) as Record<string, any>;
    assert.deepEqual(Object.keys(backup), ['id', 'type', 'last_updated_time', 'state', 'agent', 'configuration', 'links']);
    assert.equal(backup.type, 'backup');
    assert.equal(backup.state, 'completed');
    assert.match(backup.last_updated_time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    assert.deepEqual(backup.agent, { id: w.agent.id, links: [{ href: `${t.url}/v2/${PROJECT}/agents/${w.agent.id}`, rel: 'full' }] });
    assert.deepEqual(backup.configuration, { id: configA, links: [{ href: `${t.url}/v2/${PROJECT}/configurations/${configA}`, rel: 'full' }] });
    assert.deepEqual(backup.links, [{ href: `${t.url}/v2/${PROJECT}/backups/${ids.backupA1}`, rel: 'backup' }]);
    const cleanup = byId.get(ids.cleanup) as Record<string, any>;
    assert.ok(!('configuration' in cleanup), 'cleanups carry no configuration key at all');
    assert.deepEqual(cleanup.links, [{ href: `${t.url}/v2/${PROJECT}/cleanups/${ids.cleanup}`, rel: 'cleanup' }]);
    const restore = byId.get(ids.restore) as Record<string, any>;
    assert.equal(restore.agent.id, w.otherAgent.id, 'a restore belongs to its destination agent');
    assert.equal(restore.configuration.id, configA, "a restore carries its backup's configuration");
    assert.equal(restore.links[0].rel, 'restore');
  });

  it('an update moves a job to the front', async () => {
    await report('backups', ids.backupB1, w.otherAgent.token, [{ op: 'replace', path: '/state', value: 'queued' }]);
    const res = await list('activities');
    assert.equal(idsOf(res.body)[0], ids.backupB1);
    assert.equal(res.body.activities[0].state, 'queued');
  });

  it('filters: type, state, agent_ids, configuration_ids (comma-separated); bad values 400', async () => {
    assert.deepEqual(idsOf((await list('activities?type=cleanup')).body), [ids.cleanup]);
    assert.deepEqual(new Set(idsOf((await list('activities?type=restore,cleanup')).body)), new Set([ids.restore, ids.cleanup]));
    assert.deepEqual(idsOf((await list('activities?state=completed')).body), [ids.backupA1]);
    assert.deepEqual(new Set(idsOf((await list(`activities?agent_ids=${w.otherAgent.id}`)).body)), new Set([ids.restore, ids.backupB1]));
    assert.deepEqual(new Set(idsOf((await list(`activities?configuration_ids=${configB},${configA}&type=backup`)).body)), new Set([ids.backupA1, ids.backupA2, ids.backupB1]));
    assert.deepEqual((await list('activities?type=cleanup&state=failed')).body, { activities: [] });
    assert.equal((await list('activities?type=snapshot')).status, 400);
    assert.equal((await list('activities?state=sleeping')).status, 400);
  });

  it('paging: next and previous links keep filters; asc; unknown marker, bad limit and bad sort_dir are 400', async () => {
    const all = idsOf((await list('activities')).body);
    const first = await list('activities?limit=2&type=backup,restore');
    assert.equal(first.body.activities.length, 2);
    const expected = all.filter((id) => id !== ids.cleanup);
    assert.deepEqual(idsOf(first.body), expected.slice(0, 2));
    assert.deepEqual(first.body.links, [
      { href: `${t.url}/v2/${PROJECT}/activities?marker=${expected[1]}&limit=2&type=backup%2Crestore`, rel: 'next' },
      { href: `${t.url}/v2/${PROJECT}/activities?marker=${expected[0]}&limit=2&sort_dir=asc&type=backup%2Crestore`, rel: 'previous' },
    ]);
    const next = await t.request('GET', first.body.links[0].href.slice(t.url.length), { token: w.observer });
    assert.deepEqual(idsOf(next.body), expected.slice(2, 4));
    const previous = next.body.links.find((l: { rel: string }) => l.rel === 'previous');
    assert.equal(previous.href, `${t.url}/v2/${PROJECT}/activities?marker=${expected[2]}&limit=2&sort_dir=asc&type=backup%2Crestore`);
    const back = await t.request('GET', previous.href.slice(t.url.length), { token: w.observer });
    assert.deepEqual(idsOf(back.body), [expected[1], expected[0]]);
    const asc = await list('activities?sort_dir=asc');
    assert.deepEqual(idsOf(asc.body), [...all].reverse());
    assert.equal((await list('activities?marker=nope')).status, 400);
    assert.equal((await list('activities?limit=0')).status, 400);
    assert.equal((await list('activities?sort_dir=up')).status, 400);
    const last = await list(`activities?marker=${all[all.length - 1]}`);
    assert.deepEqual(last.body, { activities: [] });
  });

  it('roles: observer 200, other project 404, no token 401; an empty project gives []', async () => {
    assert.equal((await list('activities', w.admin)).status, 200);
    assert.equal((await list('activities', w.stranger)).status, 404);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/activities`, { token: null })).status, 401);
    assert.deepEqual((await t.request('GET', `/v2/654321/activities`, { token: w.stranger })).body, { activities: [] });
  });
});

describe('activities of an agent and of a configuration', () => {
  it("an agent's: its backups and cleanups, and restores it is the destination of; type and configuration_ids filters", async () => {
    const mine = await list(`agents/${w.agent.id}/activities`);
    assert.equal(mine.status, 200);
    assert.deepEqual(new Set(idsOf(mine.body)), new Set([ids.backupA1, ids.backupA2, ids.cleanup]));
    const other = await list(`agents/${w.otherAgent.id}/activities`);
    assert.deepEqual(new Set(idsOf(other.body)), new Set([ids.backupB1, ids.restore]));
    assert.deepEqual(idsOf((await list(`agents/${w.agent.id}/activities?type=cleanup`)).body), [ids.cleanup]);
    assert.deepEqual(idsOf((await list(`agents/${w.otherAgent.id}/activities?configuration_ids=${configA}`)).body), [ids.restore]);
    const paged = await list(`agents/${w.agent.id}/activities?limit=1`);
    assert.equal(paged.body.links[0].href, `${t.url}/v2/${PROJECT}/agents/${w.agent.id}/activities?marker=${paged.body.activities[0].id}&limit=1`);
  });

  it("an agent's: its own token reads them, another agent's token 404, unknown agent 404, other project 404, no token 401", async () => {
    assert.equal((await list(`agents/${w.agent.id}/activities`, w.agent.token)).status, 200);
    assert.equal((await list(`agents/${w.agent.id}/activities`, w.otherAgent.token)).status, 404);
    assert.equal((await list('agents/nope/activities')).status, 404);
    assert.equal((await list(`agents/${w.agent.id}/activities`, w.stranger)).status, 404);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/agents/${w.agent.id}/activities`, { token: null })).status, 401);
  });

  it("a configuration's: its backups and their restores, never cleanups; state filter; roles", async () => {
    const res = await list(`configurations/${configA}/activities`);
    assert.equal(res.status, 200);
    assert.deepEqual(new Set(idsOf(res.body)), new Set([ids.backupA1, ids.backupA2, ids.restore]));
    assert.deepEqual(idsOf((await list(`configurations/${configA}/activities?state=start_requested`)).body).sort(), [ids.backupA2, ids.restore].sort());
    assert.equal((await list(`configurations/${configA}/activities?state=nope`)).status, 400);
    assert.equal((await list('configurations/nope/activities')).status, 404);
    assert.equal((await list(`configurations/${configA}/activities`, w.stranger)).status, 404);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/configurations/${configA}/activities`, { token: null })).status, 401);
  });
});
