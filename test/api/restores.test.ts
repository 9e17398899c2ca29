import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { buildWorld, depositVaultKey, patchHeaders, PROJECT, registerAgent, type World } from '../helpers/fixtures.js';
import { itemAt } from '../helpers/indexing.js';

const TERMINAL_MESSAGE = "Modifying a restore that is already in a state of ['completed', 'completed_with_errors', 'failed', 'stopped'] is not allowed.";
const NOT_RESTORABLE = 'The backup is not restorable: it has not completed with a snapshot, its retention has expired, or its vault is no longer attached to an agent.';

let t: TestServer;
let w: World;
let configId: string;
let backupId: string;

before(async () => {
  t = await startTestServer();
  w = await buildWorld(t);
  await depositVaultKey(t, w.agent);
  configId = await newConfig(w.agent.id);
  backupId = await completedBackup(configId, w.agent.token);
});
after(async () => t.close());

async function newConfig(agentId: string, retentionDays = 30): Promise<string> {
  const res = await t.request('POST', `/v2/${PROJECT}/configurations`, {
    token: w.creator,
    body: {
      agent_id: agentId,
      name: 'Web',
      enabled: true,
      schedule: null,
      retention: { days: retentionDays },
      inclusions: [{ type: 'folder', path: '/web/' }],
      exclusions: [],
      notifications: [{ type: 'email', destination: 'ops@example.com', on_success: false, on_failure: true }],
    },
  });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

async function completedBackup(configuration: string, agentToken: string, endedTime = new Date().toISOString(), snapshot = 1111): Promise<string> {
  const started = await t.request('POST', `/v2/${PROJECT}/backups`, { token: w.creator, body: { configuration_id: configuration, state: 'start_requested' } });
  assert.equal(started.status, 201, started.text);
  const report = [
    { op: 'replace', path: '/state', value: 'completed' },
    { op: 'add', path: '/ended_time', value: endedTime },
    { op: 'add', path: '/snapshot_id', value: snapshot },
  ];
  const res = await t.request('PATCH', `/v2/${PROJECT}/backups/${started.body.id}`, { token: agentToken, raw: JSON.stringify(report), headers: patchHeaders });
  assert.equal(res.status, 204, res.text);
  return started.body.id;
}

function restoreBody(overrides: Record<string, unknown> = {}) {
  return {
    backup_id: backupId,
    destination_agent_id: w.otherAgent.id,
    destination_path: '/tmp/restore',
    overwrite_files: false,
    encrypted_password_hex: null,
    inclusions: [
      { type: 'folder', path: '/web/' },
      { type: 'file', path: '/etc/web/app.conf' },
    ],
    exclusions: [{ type: 'folder', path: '/web/cache/' }],
    ...overrides,
  };
}

function startRestore(overrides: Record<string, unknown> = {}, token = w.creator) {
  const body: Record<string, unknown> = restoreBody(overrides);
  for (const key of Object.keys(body)) if (body[key] === undefined) delete body[key];
  return t.request('POST', `/v2/${PROJECT}/restores`, { token, body });
}

async function newRestore(overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await startRestore(overrides);
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

function patch(id: string, ops: unknown, token: string) {
  return t.request('PATCH', `/v2/${PROJECT}/restores/${id}`, { token, raw: JSON.stringify(ops), headers: patchHeaders });
}

const setState = (state: string) => [{ op: 'replace', path: '/state', value: state }];
const get = (id: string, token = w.observer) => t.request('GET', `/v2/${PROJECT}/restores/${id}`, { token });

async function events(subjectId: string) {
  const rows = await t.server.ctx.store.db.selectFrom('events').selectAll().where('subject_id', '=', subjectId).orderBy('id').execute();
  return rows.map((row) => ({ name: row.name, agentId: row.agent_id, body: JSON.parse(row.body) }));
}

describe('restores: start', () => {
  it('201, Location, the §3.4 representation, and restore_start_request for the destination agent', async () => {
    const res = await startRestore();
    assert.equal(res.status, 201, res.text);
    const id = res.body.id;
    assert.equal(res.headers.get('location'), `${t.url}/v2/${PROJECT}/restores/${id}`);
    assert.deepEqual(
      Object.keys(res.body).sort(),
      [
        'backup',
        'bytes_restored',
        'destination_agent',
        'destination_path',
        'ended_time',
        'errors',
        'exclusions',
        'files_restored',
        'files_skipped',
        'id',
        'inclusions',
        'links',
        'overwrite_files',
        'project_id',
        'started_time',
        'state',
      ].sort(),
    );
    assert.equal(res.body.state, 'start_requested');
    assert.deepEqual(res.body.backup, { id: backupId, links: [{ href: `${t.url}/v2/${PROJECT}/backups/${backupId}`, rel: 'full' }] });
    assert.deepEqual(res.body.destination_agent, { id: w.otherAgent.id, links: [{ href: `${t.url}/v2/${PROJECT}/agents/${w.otherAgent.id}`, rel: 'full' }] });
    assert.equal(res.body.destination_path, '/tmp/restore');
    assert.equal(res.body.overwrite_files, false);
    assert.deepEqual(res.body.inclusions, restoreBody().inclusions);
    assert.deepEqual(res.body.exclusions, restoreBody().exclusions);
    assert.deepEqual(res.body.errors, { count: 0, reason: '', diagnostics: '', links: [{ href: `${t.url}/v2/${PROJECT}/restores/${id}/errors`, rel: 'full' }] });
    assert.equal(res.body.files_restored, 0);
    assert.equal(res.body.bytes_restored, 0);
    assert.deepEqual(
      res.body.links.map((l: { rel: string }) => l.rel),
      ['self', 'events'],
    );
    const recorded = await events(id);
    assert.deepEqual(
      recorded.map((e) => e.name),
      ['restore_start_request'],
    );
    assert.equal(itemAt(recorded, 0).agentId, w.otherAgent.id);
    assert.deepEqual(itemAt(recorded, 0).body, {
      agent: { id: w.otherAgent.id },
      source_agent: { id: w.agent.id, vault: { id: w.agent.vaultId, encrypted: false } },
      configuration: { id: configId },
      backup: { id: backupId, snapshot_id: 1111 },
      restore: { id, destination_path: '/tmp/restore', overwrite_files: false, inclusions: restoreBody().inclusions, exclusions: restoreBody().exclusions },
      request_id: id,
      encrypted_password_hex: null,
    });
  });

  it('defaults: overwrite_files false, no filters, destination_path null; destination_agent_ID alias; source_agent_id ignored', async () => {
    const res = await t.request('POST', `/v2/${PROJECT}/restores`, {
      token: w.creator,
      body: { backup_id: backupId, destination_agent_ID: w.agent.id, destination_path: null, source_agent_id: 'whatever' },
    });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.destination_agent.id, w.agent.id);
    assert.equal(res.body.overwrite_files, false);
    assert.equal(res.body.destination_path, null);
    assert.deepEqual(res.body.inclusions, []);
    assert.deepEqual(res.body.exclusions, []);
  });

  it('an encrypted vault needs encrypted_password_hex; it reaches the agent event and no response', async () => {
    const agent = await registerAgent(t, w.admin);
    const config = await newConfig(agent.id, 0);
    const backup = await completedBackup(config, agent.token);
    await t.server.ctx.store.db.updateTable('agents').set({ vault_encrypted: 1 }).where('id', '=', agent.id).execute();
    const missing = await startRestore({ backup_id: backup, destination_agent_id: agent.id });
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.body.errors, ["encrypted_password_hex is required: the backup's vault is encrypted."]);
    const hex = '0bff 5a3c 9d';
    const res = await startRestore({ backup_id: backup, destination_agent_id: agent.id, encrypted_password_hex: hex });
    assert.equal(res.status, 201, res.text);
    assert.ok(!res.text.includes(hex));
    assert.ok(!(await get(res.body.id)).text.includes(hex));
    assert.ok(!(await t.request('GET', `/v2/${PROJECT}/restores?limit=1000`, { token: w.observer })).text.includes(hex));
    const event = itemAt(await events(res.body.id), 0);
    assert.equal(event.body.encrypted_password_hex, hex);
    assert.deepEqual(event.body.source_agent.vault, { id: agent.vaultId, encrypted: true });
  });

  it('a password for an unencrypted vault is refused (400)', async () => {
    const res = await startRestore({ encrypted_password_hex: 'abcd' });
    assert.equal(res.status, 400);
    assert.match(res.body.errors[0], /must be null or absent/);
  });

  it('bad bodies → 400 naming the field; nothing is written', async () => {
    const count = async () => (await t.server.ctx.store.db.selectFrom('jobs').select('id').where('kind', '=', 'restore').execute()).length;
    const before = await count();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ backup_id: undefined }, /backup_id is required/],
      [{ destination_agent_id: undefined }, /destination_agent_id is required/],
      [{ destination_agent_ID: w.agent.id }, /name different agents/],
      [{ overwrite_files: 'yes' }, /overwrite_files must be true or false/],
      [{ destination_path: 7 }, /destination_path must be a string/],
      [{ inclusions: [{ type: 'drive', path: 'C:' }] }, /inclusions\[0\]\.type must be file or folder/],
      [{ exclusions: 'none' }, /exclusions must be an array/],
      [{ backup_id: 'nope' }, /backup_id nope is not a backup of this project/],
      [{ destination_agent_id: 'nope' }, /destination_agent_id nope is not an agent of this project/],
    ];
    for (const [overrides, pattern] of cases) {
      const res = await startRestore(overrides);
      assert.equal(res.status, 400, `${JSON.stringify(overrides)}: ${res.text}`);
      assert.match(res.body.errors.join(' '), pattern);
    }
    const restoreOfRestore = await startRestore({ backup_id: await newRestore() });
    assert.equal(restoreOfRestore.status, 400);
    assert.equal(await count(), before + 1);
  });

  it('409 when the backup is not restorable (not finished, failed, expired) or the destination is disabled', async () => {
    const running = await t.request('POST', `/v2/${PROJECT}/backups`, { token: w.creator, body: { configuration_id: configId, state: 'start_requested' } });
    const res = await startRestore({ backup_id: running.body.id });
    assert.equal(res.status, 409);
    assert.deepEqual(res.body, { message: NOT_RESTORABLE });
    const expired = await completedBackup(configId, w.agent.token, '2014-08-05T18:23:50.489715Z');
    assert.equal((await startRestore({ backup_id: expired })).status, 409);
    const agent = await registerAgent(t, w.admin);
    await t.server.ctx.store.db.updateTable('agents').set({ enabled: 0 }).where('id', '=', agent.id).execute();
    const disabled = await startRestore({ destination_agent_id: agent.id });
    assert.equal(disabled.status, 409);
    assert.match(disabled.body.message, /destination agent is disabled/);
  });

  it("after a vault move the vault's new agent is the source; a backup whose vault is gone is not restorable", async () => {
    const from = await registerAgent(t, w.admin);
    const to = await registerAgent(t, w.admin);
    const config = await newConfig(from.id, 0);
    const backup = await completedBackup(config, from.token);
    const db = t.server.ctx.store.db;
    // What a vault move does: the destination takes the vault, the source gets a new empty one.
    await db.updateTable('agents').set({ vault_id: from.vaultId }).where('id', '=', to.id).execute();
    await db.updateTable('agents').set({ vault_id: 'fresh-vault-of-source' }).where('id', '=', from.id).execute();
    const moved = await startRestore({ backup_id: backup, destination_agent_id: to.id });
    assert.equal(moved.status, 201, moved.text);
    const event = itemAt(await events(moved.body.id), 0);
    assert.deepEqual(event.body.source_agent, { id: to.id, vault: { id: from.vaultId, encrypted: false } });

    await db.updateTable('agents').set({ vault_id: 'fresh-vault-of-destination' }).where('id', '=', to.id).execute();
    assert.equal((await t.request('GET', `/v2/${PROJECT}/backups/${backup}`, { token: w.observer })).body.restorable, false);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/backups?restorable=true&configuration_id=${config}`, { token: w.observer })).body.backups.length, 0);
    const gone = await startRestore({ backup_id: backup, destination_agent_id: to.id });
    assert.equal(gone.status, 409);
    assert.deepEqual(gone.body, { message: NOT_RESTORABLE });
  });

  it('roles: observer 403, admin 201, agent token 403, other project 404, no or bad token 401', async () => {
    assert.equal((await startRestore({}, w.observer)).status, 403);
    assert.equal((await startRestore({}, w.admin)).status, 201);
    assert.equal((await startRestore({}, w.otherAgent.token)).status, 403);
    assert.equal((await startRestore({}, w.stranger)).status, 404);
    assert.equal((await startRestore({}, 'bad-token')).status, 401);
    assert.equal((await t.request('POST', `/v2/${PROJECT}/restores`, { token: null, body: restoreBody() })).status, 401);
  });
});

describe('restores: reports, get, list, errors', () => {
  it('the destination agent reports progress and results, also with the page’s spellings; events follow', async () => {
    const id = await newRestore();
    for (const state of ['queued', 'preparing', 'in_progress']) assert.equal((await patch(id, setState(state), w.otherAgent.token)).status, 204);
    const report = [
      { op: 'replace', path: '/state', value: 'completed_with_errors' },
      { op: 'add', path: '/started-time', value: '2014-08-05T18:22:22.238641Z' },
      { op: 'add', path: '/ended-time', value: '2014-08-05T18:23:50.489715Z' },
      { op: 'add', path: '/files_restores', value: 12 },
      { op: 'add', path: '/bytes-restored', value: 4096 },
      { op: 'add', path: '/files_skipped', value: 7 },
      {
        op: 'add',
        path: '/errors',
        value: {
          count: 1,
          reason: 'unable_to_process_some_files',
          diagnostics: 'Some files may not have been restored.',
          list: [{ index: 3, path: '/usr/bin/h2xs', type: 'phx_exception', exception: { code: 9016, description: 'WRITE failed (3042): No space left on device', details: '' } }],
        },
      },
    ];
    assert.equal((await patch(id, report, w.otherAgent.token)).status, 204);
    const read = (await get(id)).body;
    assert.equal(read.state, 'completed_with_errors');
    assert.equal(read.started_time, '2014-08-05T18:22:22.238641Z');
    assert.equal(read.ended_time, '2014-08-05T18:23:50.489715Z');
    assert.equal(read.files_restored, 12);
    assert.equal(read.bytes_restored, 4096);
    assert.equal(read.files_skipped, 7, 'the extension counter of files left alone without overwrite_files');
    assert.equal(read.errors.count, 1);
    const recorded = await events(id);
    assert.deepEqual(
      recorded.map((e) => e.name),
      ['restore_start_request', 'restore_queued', 'restore_preparing', 'restore_in_progress', 'restore_completed'],
    );
    assert.deepEqual(itemAt(recorded, 4).body, { agent: { id: w.otherAgent.id }, configuration: { id: configId }, restore: { id } });
    const errors = await t.request('GET', `/v2/${PROJECT}/restores/${id}/errors`, { token: w.observer });
    assert.equal(errors.status, 200);
    assert.equal(errors.body.list[0].description, 'The agent experience a problem (Phoenix).');
    assert.deepEqual(errors.body.links, [{ href: `${t.url}/v2/${PROJECT}/restores/${id}/errors`, rel: 'self' }]);
    const terminal = await patch(id, [{ op: 'add', path: '/files_restored', value: 13 }], w.otherAgent.token);
    assert.equal(terminal.status, 409);
    assert.deepEqual(terminal.body, { message: TERMINAL_MESSAGE });
  });

  it('users may only ask to stop; the source agent is not the restore’s agent; bad values 400', async () => {
    const id = await newRestore();
    assert.equal((await patch(id, setState('queued'), w.agent.token)).status, 404);
    assert.equal((await patch(id, setState('queued'), w.creator)).status, 403);
    assert.equal((await patch(id, setState('stop_requested'), w.observer)).status, 403);
    assert.equal((await patch(id, [{ op: 'add', path: '/bytes_restored', value: 'lots' }], w.otherAgent.token)).status, 400);
    assert.equal((await patch(id, [{ op: 'add', path: '/snapshot_id', value: 1 }], w.otherAgent.token)).status, 400);
    assert.equal((await patch(id, setState('skipped'), w.otherAgent.token)).status, 400);
    assert.equal((await patch(id, setState('stop_requested'), w.creator)).status, 204);
    assert.ok((await events(id)).some((e) => e.name === 'restore_stop_request'));
    assert.equal((await patch(id, setState('stopped'), w.otherAgent.token)).status, 204);
    assert.equal((await patch(id, setState('stop_requested'), w.stranger)).status, 404);
    assert.equal((await patch('nope', setState('stopped'), w.otherAgent.token)).status, 404);
  });

  it('get: the detail; 404 for unknown ids and other projects; 401 without a token', async () => {
    const id = await newRestore();
    assert.equal((await get(id, w.otherAgent.token)).status, 200);
    assert.deepEqual((await get('nope')).body, { message: 'Restore not found.' });
    assert.equal((await get(id, w.stranger)).status, 404);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/restores/${id}`, { token: null })).status, 401);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/restores/${id}/errors`, { token: null })).status, 401);
  });

  it('list: items omit inclusions and exclusions, first link full, newest first with paging', async () => {
    const first = await newRestore();
    const second = await newRestore();
    const res = await t.request('GET', `/v2/${PROJECT}/restores?limit=2`, { token: w.observer });
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.body.restores.map((r: { id: string }) => r.id),
      [second, first],
    );
    const item = res.body.restores[0];
    assert.equal(item.inclusions, undefined);
    assert.equal(item.exclusions, undefined);
    assert.deepEqual(item.links[0], { href: `${t.url}/v2/${PROJECT}/restores/${second}`, rel: 'full' });
    assert.equal(res.body.links[0].rel, 'next');
    assert.equal((await t.request('GET', `/v2/${PROJECT}/restores?sort_dir=sideways`, { token: w.observer })).status, 400);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/restores`, { token: w.stranger })).status, 404);
    assert.deepEqual((await t.request('GET', `/v2/654321/restores`, { token: w.stranger })).body, { restores: [] });
  });
});
