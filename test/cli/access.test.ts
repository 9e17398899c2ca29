import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PROJECT, registerAgent, type RegisteredAgent } from '../helpers/fixtures.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../helpers/test-server.js';
import { makeHome, runCoffer, type CofferResult } from './run-coffer.js';

const PASSWORD = 'access-password-1';

let t: TestServer;
let home: ReturnType<typeof makeHome>;
let agent: RegisteredAgent;
const admin = `access-admin-${process.pid}`;

const coffer = (args: string[], env: Record<string, string | undefined> = {}) => runCoffer(args, { home: home.home, env: { COFFER_PASSWORD: PASSWORD, ...env } });

function json(result: CofferResult): any {
  assert.equal(result.code, 0, `exit ${result.code}: ${result.stderr}${result.stdout}`);
  return JSON.parse(result.stdout);
}

before(async () => {
  t = await startTestServer();
  home = makeHome();
  const created = await t.request('POST', '/admin/users', { token: ADMIN_TOKEN, body: { username: admin, password: PASSWORD, project_id: PROJECT, roles: ['cloudbackup:admin'] } });
  assert.equal(created.status, 201, created.text);
  agent = await registerAgent(t, ADMIN_TOKEN);
  const login = await coffer(['login', '--api', t.url, '--user', admin]);
  assert.equal(login.code, 0, login.stderr);
});

after(async () => {
  await t?.close();
  home?.remove();
});

describe('coffer quota', { timeout: 120_000 }, () => {
  test("sets an agent's limits and shows its usage; a project's limit needs the server's administrator", async () => {
    const put = await t.request('PUT', `/vaults/${agent.vaultId}/files/data/ab01`, { token: agent.token, raw: 'y'.repeat(1500), contentType: 'application/octet-stream' });
    assert.equal(put.status, 201);
    const set = json(await coffer(['--json', 'quota', 'set', '--agent', agent.id, '--bytes', '2KB', '--files', 'unlimited']));
    assert.deepEqual(set.limits, { bytes: 2000, files: null });
    const shown = await coffer(['quota', 'show', agent.id]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /bytes:\s+1\.5 KB of 2\.0 KB/);
    assert.match(shown.stdout, /files:\s+1 of unlimited/);
    const project = json(await coffer(['--json', 'quota']));
    assert.deepEqual(project.limits, { bytes: null, files: null });
    const refused = await coffer(['quota', 'set', '--bytes', '1TB']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /server's administrator/);
    const bad = await coffer(['quota', 'set', '--agent', agent.id, '--bytes', 'lots']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /500MB/);
  });
});

describe('coffer users', { timeout: 120_000 }, () => {
  test('the administrator creates, disables, enables and removes users; a user changes its password and logs out', async () => {
    const rootHome = makeHome();
    const bobHome = makeHome();
    try {
      const root = await t.request('POST', '/admin/users', { token: ADMIN_TOKEN, body: { username: 'cli-root', password: PASSWORD, project_id: PROJECT, roles: ['cloudbackup:admin'] } });
      await t.server.ctx.store.db.updateTable('users').set({ is_admin: 1, project_id: null }).where('id', '=', root.body.id).execute();
      const asRoot = (args: string[], env: Record<string, string> = {}) => runCoffer(args, { home: rootHome.home, env: { COFFER_PASSWORD: PASSWORD, ...env } });
      const asBob = (args: string[], env: Record<string, string> = {}) => runCoffer(args, { home: bobHome.home, env: { COFFER_PASSWORD: 'bob-password-1', ...env } });
      assert.equal((await asRoot(['login', '--api', t.url, '--user', 'cli-root', '--project', PROJECT])).code, 0);

      const created = json(await asRoot(['--json', 'users', 'create', 'bob', '--project', PROJECT, '--role', 'creator'], { COFFER_NEW_PASSWORD: 'bob-password-1' }));
      assert.equal(created.username, 'bob');
      const listed = await asRoot(['users']);
      assert.match(listed.stdout, /bob\s+123456\s+creator\s+enabled/);
      assert.match(listed.stdout, /cli-root\s+\(all\)\s+administrator/);
      // A project admin is no user administrator.
      const refused = await coffer(['users']);
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /Only an administrator may manage users/);

      assert.equal((await asBob(['login', '--api', t.url, '--user', 'bob'])).code, 0);
      assert.equal((await asRoot(['users', 'disable', 'bob'])).code, 0);
      const locked = await asBob(['agents']);
      assert.notEqual(locked.code, 0, 'the disabled user can neither use its token nor log in again');
      assert.match((await asRoot(['users', 'enable', 'bob'])).stdout, /User bob is enabled/);
      assert.equal((await asBob(['login', '--api', t.url, '--user', 'bob'])).code, 0);

      const changed = await asBob(['users', 'passwd'], { COFFER_NEW_PASSWORD: 'bob-password-2' });
      assert.equal(changed.code, 0, changed.stderr);
      assert.equal((await asBob(['agents'])).code, 0, 'the session that changed the password goes on');
      const old = await t.request('POST', '/v2.0/tokens', { token: null, body: { auth: { passwordCredentials: { username: 'bob', password: 'bob-password-1' } } } });
      assert.equal(old.status, 401);

      const token = JSON.parse(fs.readFileSync(path.join(bobHome.configDir, 'coffer', 'cli.json'), 'utf8')).token;
      const logout = await asBob(['logout']);
      assert.match(logout.stdout, /Logged out; the token is revoked/);
      assert.equal((await t.request('GET', `/v2/${PROJECT}/agents`, { token })).status, 401);

      assert.match((await asRoot(['users', 'remove', 'bob'])).stdout, /User bob removed/);
      assert.doesNotMatch((await asRoot(['users'])).stdout, /\bbob\b/);
    } finally {
      rootHome.remove();
      bobHome.remove();
    }
  });
});
