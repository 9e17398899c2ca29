import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { VaultHttpBackend } from '../../src/agent/vault-http-backend.js';
import { writeCraftedSnapshot } from '../../src/engine/testing/crafted-vault.js';
import { VaultFiles } from '../../src/resources/vaults/vault-files.js';
import { describeOutside } from '../../src/engine/testing/outside-watch.js';
import { openVault } from '../../src/engine/vault/vault.js';
import { makeHome, REPO_ROOT, runCoffer } from '../cli/run-coffer.js';
import { PROJECT } from '../helpers/fixtures.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../helpers/test-server.js';

/*
 * A real agent (running as this test's user: root in CI, as agents usually run) restores a backup whose snapshot
 * an attacker holding the vault's key replaced: entries named `..`, `a/b` behind a symlink `a`, a repeated name,
 * and `dir/file` where the target already holds a symlink `dir` to another place. The restore ends
 * completed_with_errors listing each refused entry; nothing outside the target is created or changed. A browse
 * of that backup does not list the refused entries either.
 */

const PASSWORD = 'ops-password-123';
const TERMINAL = ['completed', 'completed_with_errors', 'failed', 'stopped'];
let t: TestServer;
let home: ReturnType<typeof makeHome>;
let agent: ChildProcess | undefined;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const api = (method: string, urlPath: string, body?: unknown) => t.request(method, `/v2/${PROJECT}${urlPath}`, { token: ADMIN_TOKEN, body });

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(150);
  }
}

const finished = (kind: string, id: string) =>
  waitFor(`${kind} ${id} to end`, async () => {
    const job = await api('GET', `/${kind}s/${id}`);
    return TERMINAL.includes(job.body.state) ? job.body : undefined;
  });

before(async () => {
  t = await startTestServer();
  home = makeHome();
  const user = await t.request('POST', '/admin/users', { token: ADMIN_TOKEN, body: { username: 'ops', password: PASSWORD, project_id: PROJECT, roles: ['cloudbackup:admin'] } });
  assert.equal(user.status, 201, user.text);
});

after(async () => {
  agent?.kill('SIGKILL');
  await sleep(200);
  await t?.close();
  home?.remove();
});

describe('an agent restoring a hostile vault', { timeout: 120_000 }, () => {
  it('writes nothing outside the target and reports every refused entry', async () => {
    const configPath = path.join(home.home, 'agent', 'agent.json');
    const register = await runCoffer(['agent', 'register', '--api', t.url, '--user', 'ops', '--name', 'victim', '--config', configPath], { home: home.home, env: { COFFER_PASSWORD: PASSWORD } });
    assert.equal(register.code, 0, register.stderr + register.stdout);
    const config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home.home, XDG_CONFIG_HOME: path.join(home.home, 'config') };
    delete env.NODE_TEST_CONTEXT;
    agent = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(REPO_ROOT, 'src', 'main.ts'), 'agent', 'run', '--config', configPath], { cwd: home.home, env, stdio: 'ignore' });

    // An honest backup first: the server's record of it is what a restore is asked for.
    const tree = path.join(home.home, 'tree');
    fs.mkdirSync(tree);
    fs.writeFileSync(path.join(tree, 'honest.txt'), 'honest');
    const configuration = await api('POST', '/configurations', {
      agent_id: config.agentId,
      name: 'tree',
      enabled: true,
      schedule: null,
      retention: { days: 30 },
      inclusions: [{ type: 'folder', path: tree }],
      exclusions: [],
      notifications: [{ type: 'email', destination: 'ops@example.com', on_success: false, on_failure: true }],
    });
    assert.equal(configuration.status, 201, configuration.text);
    const started = await api('POST', '/backups', { configuration_id: configuration.body.id, state: 'start_requested' });
    assert.equal(started.status, 201, started.text);
    const backup = await finished('backup', started.body.id);
    assert.equal(backup.state, 'completed', JSON.stringify(backup.errors));

    // The attacker: the vault's key and the storage under the server (a compromised server or bucket), which may
    // replace a snapshot that the append-only vault endpoint would not let even the agent replace.
    const box = path.join(home.home, 'box');
    const target = path.join(box, 'target');
    const outside = path.join(home.home, 'outside');
    fs.mkdirSync(target, { recursive: true });
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'precious'), 'keep me');
    fs.symlinkSync(outside, path.join(target, 'dir'));
    const login = await t.request('POST', `/v2/${PROJECT}/agents/tokens`, { token: null, body: { id: config.agentId, password: config.password, host: { fingerprint: config.fingerprint } } });
    assert.equal(login.status, 200, login.text);
    const agentToken = login.body.token.id as string;
    const vaultId = (await api('GET', `/agents/${config.agentId}`)).body.vault.id;
    const agentView = new VaultHttpBackend({ url: `${t.url}/vaults/${vaultId}`, tokens: { token: async () => agentToken, refresh: async () => agentToken } });
    const honest = (await (await openVault(agentView, config.vaultPassword)).listSnapshots()).find((s) => s.id === backup.snapshot_id)!;
    const backend = new VaultFiles(t.server.ctx.blobs, vaultId);
    await writeCraftedSnapshot(
      backend,
      config.vaultPassword,
      [
        { type: 'dir', name: '..', mode: 0o777, entries: [{ type: 'file', name: 'planted', data: 'x', mode: 0o4755 }] },
        { type: 'symlink', name: 'a', target: outside },
        { type: 'file', name: 'a/b', data: 'through the link' },
        { type: 'symlink', name: 'twice', target: outside },
        { type: 'dir', name: 'twice', entries: [{ type: 'file', name: 'precious', data: 'overwritten' }] },
        { type: 'dir', name: 'dir', entries: [{ type: 'file', name: 'file', data: 'through the existing link' }] },
        { type: 'file', name: 'fine.txt', data: 'fine' },
      ],
      { replace: honest.hash },
    );
    const before = { box: describeOutside(box, [target]), outside: describeOutside(outside) };

    const created = await api('POST', '/restores', {
      backup_id: backup.id,
      destination_agent_id: config.agentId,
      destination_path: target,
      overwrite_files: false,
      encrypted_password_hex: null,
      inclusions: [],
      exclusions: [],
    });
    assert.equal(created.status, 201, created.text);
    const restore = await finished('restore', created.body.id);
    assert.equal(restore.state, 'completed_with_errors', JSON.stringify(restore.errors));
    const errors = await api('GET', `/restores/${created.body.id}/errors`);
    assert.equal(errors.status, 200, errors.text);
    const listed = errors.body.list.map((e: { path: string; exception: { description: string } }) => `${e.path}: ${e.exception.description}`).sort();
    assert.equal(listed.length, 5, listed.join('\n'));
    assert.match(listed[0], /^\/\.\.: refused: the name "\.\." is not allowed/);
    assert.match(listed[1], /^\/a\/b: refused: the name contains "\/"/);
    assert.match(listed[2], /^\/dir: exists and is a symlink/);
    assert.match(listed[3], /^\/twice: refused: another entry of the directory has the same name/);
    assert.deepEqual(describeOutside(box, [target]), before.box, 'nothing next to the target was created or changed');
    assert.deepEqual(describeOutside(outside), before.outside, 'nothing behind a symlink was created or changed');
    assert.deepEqual(fs.readdirSync(target).sort(), ['a', 'dir', 'fine.txt']);
    assert.equal(fs.readFileSync(path.join(target, 'fine.txt'), 'utf8'), 'fine');

    // Browsing that backup through the agent lists only what a restore would write.
    const asked = await api('POST', `/backups/${backup.id}/browse-requests`, { agent_id: config.agentId, encrypted_password_hex: null, path: '/' });
    assert.equal(asked.status, 202, asked.text);
    const resultPath = new URL(asked.headers.get('location')!, t.url).pathname;
    const listing = await waitFor('the browse result', async () => {
      const result = await t.request('GET', resultPath, { token: ADMIN_TOKEN });
      return result.status === 200 ? result.body : undefined;
    });
    assert.equal(listing.succeeded, true);
    assert.deepEqual(listing.items.map((i: { name: string }) => i.name).sort(), ['a', 'dir', 'fine.txt']);
  });
});
