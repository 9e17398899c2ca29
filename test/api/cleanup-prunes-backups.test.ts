import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { buildWorld, patchHeaders, PROJECT, type World } from '../helpers/fixtures.js';

let t: TestServer;
let w: World;

before(async () => {
  t = await startTestServer();
  w = await buildWorld(t);
});
after(async () => t.close());

const report = (path: string, id: string, ops: unknown[]) => t.request('PATCH', `/v2/${PROJECT}/${path}/${id}`, { token: w.agent.token, raw: JSON.stringify(ops), headers: patchHeaders });

async function backupWithSnapshot(configurationId: string, snapshotId: number): Promise<string> {
  const started = await t.request('POST', `/v2/${PROJECT}/backups`, { token: w.creator, body: { configuration_id: configurationId, state: 'start_requested' } });
  assert.equal(started.status, 201, started.text);
  const done = await report('backups', started.body.id, [
    { op: 'replace', path: '/state', value: 'completed' },
    { op: 'add', path: '/ended_time', value: new Date().toISOString() },
    { op: 'add', path: '/snapshot_id', value: snapshotId },
  ]);
  assert.equal(done.status, 204, done.text);
  return started.body.id;
}

it('a completed cleanup makes the backups whose snapshots it removed unrestorable, and only those', async () => {
  const configuration = await t.request('POST', `/v2/${PROJECT}/configurations`, {
    token: w.creator,
    body: {
      agent_id: w.agent.id,
      name: 'Web',
      enabled: true,
      schedule: null,
      retention: { days: 0 },
      inclusions: [{ type: 'folder', path: '/web/' }],
      exclusions: [],
      notifications: [{ type: 'email', destination: 'ops@example.com', on_success: false, on_failure: true }],
    },
  });
  assert.equal(configuration.status, 201, configuration.text);
  const oldest = await backupWithSnapshot(configuration.body.id, 7);
  const newest = await backupWithSnapshot(configuration.body.id, 8);
  const restorable = async () => (await t.request('GET', `/v2/${PROJECT}/backups?restorable=true`, { token: w.observer })).body.backups.map((b: { id: string }) => b.id).sort();
  assert.deepEqual(await restorable(), [oldest, newest].sort());

  const cleanup = await t.request('POST', `/v2/${PROJECT}/cleanups`, { token: w.creator, body: { agent_id: w.agent.id, state: 'start_requested' } });
  const inProgress = await report('cleanups', cleanup.body.id, [
    { op: 'replace', path: '/state', value: 'in_progress' },
    { op: 'add', path: '/snapshot_ids', value: [7] },
  ]);
  assert.equal(inProgress.status, 204);
  assert.deepEqual(await restorable(), [oldest, newest].sort(), 'progress alone removes nothing');

  const done = await report('cleanups', cleanup.body.id, [{ op: 'replace', path: '/state', value: 'completed' }]);
  assert.equal(done.status, 204, done.text);
  assert.deepEqual(await restorable(), [newest]);
  const detail = await t.request('GET', `/v2/${PROJECT}/backups/${oldest}`, { token: w.observer });
  assert.equal(detail.body.restorable, false);
  const restore = await t.request('POST', `/v2/${PROJECT}/restores`, {
    token: w.creator,
    body: { backup_id: oldest, destination_agent_id: w.agent.id, destination_path: '/tmp/r', overwrite_files: false, encrypted_password_hex: null, inclusions: [], exclusions: [] },
  });
  assert.equal(restore.status, 409, restore.text);
});
