import assert from 'node:assert/strict';
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
