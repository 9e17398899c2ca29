import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { loadServerConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import type { Store } from '../../src/store/store.js';
import { PROJECT, registerAgent, userToken } from '../helpers/fixtures.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../helpers/test-server.js';

/** Users, passwords and token revocation, with a second app instance on the same database as another node. */
describe('users and tokens', { timeout: 90_000 }, () => {
  let t: TestServer;
  let second: { server: RunningServer; store: Store };
  let adminUserToken: string;

  const onSecond = async (method: string, path: string, token: string, body?: unknown) => {
    const response = await fetch(`${second.server.url}${path}`, {
      method,
      headers: { 'x-auth-token': token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, text: await response.text() };
  };
  const login = (username: string, password: string) => t.request('POST', '/v2.0/tokens', { token: null, body: { auth: { passwordCredentials: { username, password } } } });
  const newUser = async (role = 'creator', password = 'password-123') => {
    const username = `u-${Math.random().toString(36).slice(2, 10)}`;
    const created = await t.request('POST', '/admin/users', { body: { username, password, project_id: PROJECT, roles: [`cloudbackup:${role}`] } });
    assert.equal(created.status, 201, created.text);
    const token = (await login(username, password)).body.access.token.id as string;
    return { id: created.body.id as string, username, token };
  };

  before(async () => {
    t = await startTestServer();
    const config = loadServerConfig({}, { host: '127.0.0.1', port: 0, dataDir: t.database.dataDir, databaseUrl: t.database.databaseUrl, adminToken: ADMIN_TOKEN, logLevel: 'silent' });
    const store = await t.database.open();
    second = { server: await startServer(config, { store, logger: pino({ level: 'silent' }) }), store };
    // An administrator who is a user (like the first admin), not the environment's token.
    const created = await t.request('POST', '/admin/users', { body: { username: 'root-admin', password: 'password-123', project_id: PROJECT, roles: ['cloudbackup:admin'] } });
    assert.equal(created.status, 201);
    await t.server.ctx.store.db.updateTable('users').set({ is_admin: 1, project_id: null }).where('id', '=', created.body.id).execute();
    adminUserToken = (await login('root-admin', 'password-123')).body.access.token.id;
  });
  after(async () => {
    await second?.server.close();
    await second?.store.close();
    await t?.close();
  });

  it('lists users without their password hashes, only for the administrator', async () => {
    const user = await newUser('observer');
    const list = await t.request('GET', '/admin/users', { token: adminUserToken });
    assert.equal(list.status, 200, list.text);
    const listed = list.body.users.find((u: { id: string }) => u.id === user.id);
    assert.deepEqual(Object.keys(listed).sort(), ['created_at', 'disabled', 'id', 'is_admin', 'project_id', 'roles', 'username']);
    assert.equal(listed.disabled, false);
    assert.doesNotMatch(list.text, /scrypt/);
    const projectAdmin = await userToken(t, 'admin');
    assert.equal((await t.request('GET', '/admin/users', { token: projectAdmin })).status, 403);
    assert.equal((await t.request('GET', '/admin/users', { token: null })).status, 401);
    assert.equal((await t.request('GET', '/admin/users/me', { token: user.token })).body.username, user.username);
    assert.equal((await t.request('GET', `/admin/users/${user.id}`, { token: user.token })).status, 403);
  });

  it('revokes the token of a request (log out) on every node at once', async () => {
    const user = await newUser();
    assert.equal((await onSecond('GET', `/v2/${PROJECT}/agents`, user.token)).status, 200);
    assert.equal((await t.request('DELETE', '/v2.0/tokens', { token: user.token })).status, 204);
    assert.equal((await onSecond('GET', `/v2/${PROJECT}/agents`, user.token)).status, 401);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/agents`, { token: user.token })).status, 401);
  });

  it("revokes a named token: one's own, or anyone's as administrator; others' tokens are 404", async () => {
    const a = await newUser();
    const b = await newUser();
    assert.equal((await t.request('DELETE', `/v2.0/tokens/${b.token}`, { token: a.token })).status, 404);
    assert.equal((await onSecond('GET', `/v2/${PROJECT}/agents`, b.token)).status, 200);
    assert.equal((await t.request('DELETE', `/v2.0/tokens/${b.token}`, { token: adminUserToken })).status, 204);
    assert.equal((await onSecond('GET', `/v2/${PROJECT}/agents`, b.token)).status, 401);
    assert.equal((await t.request('DELETE', `/v2.0/tokens/${b.token}`, { token: adminUserToken })).status, 404);
  });

  it("revokes all of a user's tokens, and a disabled user can neither use old tokens nor log in", async () => {
    const user = await newUser();
    const other = (await login(user.username, 'password-123')).body.access.token.id;
    await onSecond('GET', `/v2/${PROJECT}/agents`, other);
    const revoked = await t.request('DELETE', `/admin/users/${user.id}/tokens`, { token: adminUserToken });
    assert.deepEqual(revoked.body, { revoked: 2 });
    for (const token of [user.token, other]) assert.equal((await onSecond('GET', `/v2/${PROJECT}/agents`, token)).status, 401);

    const fresh = (await login(user.username, 'password-123')).body.access.token.id;
    const disabled = await t.request('POST', `/admin/users/${user.id}/actions/disable`, { token: adminUserToken });
    assert.equal(disabled.status, 200, disabled.text);
    assert.equal(disabled.body.disabled, true);
    assert.equal((await onSecond('GET', `/v2/${PROJECT}/agents`, fresh)).status, 401);
    const refused = await login(user.username, 'password-123');
    assert.equal(refused.status, 401);
    assert.equal(refused.body.message, (await login(user.username, 'wrong-password')).body.message, 'a disabled user looks like a wrong password');
    assert.equal((await t.request('POST', `/admin/users/${user.id}/actions/enable`, { token: adminUserToken })).body.disabled, false);
    assert.equal((await login(user.username, 'password-123')).status, 200);
  });

  it('deletes a user, whose tokens stop working on every node', async () => {
    const user = await newUser();
    assert.equal((await onSecond('GET', `/v2/${PROJECT}/agents`, user.token)).status, 200);
    assert.equal((await t.request('DELETE', `/admin/users/${user.id}`, { token: user.token })).status, 403);
    assert.equal((await t.request('DELETE', `/admin/users/${user.id}`, { token: adminUserToken })).status, 204);
    assert.equal((await onSecond('GET', `/v2/${PROJECT}/agents`, user.token)).status, 401);
    assert.equal((await login(user.username, 'password-123')).status, 401);
    assert.equal((await t.request('DELETE', `/admin/users/${user.id}`, { token: adminUserToken })).status, 404);
    const me = (await t.request('GET', '/admin/users/me', { token: adminUserToken })).body.id;
    assert.equal((await t.request('DELETE', `/admin/users/${me}`, { token: adminUserToken })).status, 409);
    assert.equal((await t.request('POST', `/admin/users/${me}/actions/disable`, { token: adminUserToken })).status, 409);
  });

  it("stops a deleted agent's token at once on every node", async () => {
    const admin = await userToken(t, 'admin');
    const agent = await registerAgent(t, admin);
    assert.equal((await onSecond('GET', `/v2/${PROJECT}/agents/${agent.id}/configuration`, agent.token)).status, 200);
    assert.equal((await t.request('DELETE', `/v2/${PROJECT}/agents/${agent.id}`, { token: admin })).status, 204);
    assert.equal((await onSecond('GET', `/v2/${PROJECT}/agents/${agent.id}/configuration`, agent.token)).status, 401);
    assert.equal((await onSecond('PUT', `/vaults/${agent.vaultId}/files/keys/k1`, agent.token)).status, 401);
  });

  it("changes passwords: its own with the current one, anyone's (the first admin's too) as administrator", async () => {
    const user = await newUser();
    const second = (await login(user.username, 'password-123')).body.access.token.id;
    const path = '/admin/users/me/password';
    assert.equal((await t.request('PUT', path, { token: user.token, body: { password: 'new-password-1' } })).status, 403);
    assert.equal((await t.request('PUT', path, { token: user.token, body: { password: 'new-password-1', current_password: 'wrong-one' } })).status, 403);
    assert.equal((await t.request('PUT', path, { token: user.token, body: { password: 'short', current_password: 'password-123' } })).status, 400);
    assert.equal((await t.request('PUT', path, { token: user.token, body: { password: 'new-password-1', current_password: 'password-123' } })).status, 204);
    // The session that changed it goes on; every other token of the user is revoked, on every node.
    assert.equal((await onSecond('GET', `/v2/${PROJECT}/agents`, user.token)).status, 200);
    assert.equal((await onSecond('GET', `/v2/${PROJECT}/agents`, second)).status, 401);
    assert.equal((await login(user.username, 'password-123')).status, 401);
    assert.equal((await login(user.username, 'new-password-1')).status, 200);

    const other = await newUser();
    assert.equal((await t.request('PUT', `/admin/users/${other.id}/password`, { token: user.token, body: { password: 'taken-over-1' } })).status, 403);
    assert.equal((await t.request('PUT', `/admin/users/${other.id}/password`, { token: adminUserToken, body: { password: 'reset-by-admin-1' } })).status, 204);
    assert.equal((await onSecond('GET', `/v2/${PROJECT}/agents`, other.token)).status, 401);
    assert.equal((await login(other.username, 'reset-by-admin-1')).status, 200);

    const rootId = (await t.request('GET', '/admin/users/me', { token: adminUserToken })).body.id;
    assert.equal((await t.request('PUT', `/admin/users/${rootId}/password`, { body: { password: 'first-admin-new-1' } })).status, 204);
    assert.equal((await onSecond('GET', '/admin/users', adminUserToken)).status, 401);
    adminUserToken = (await login('root-admin', 'first-admin-new-1')).body.access.token.id;
    assert.ok(adminUserToken);
  });
});
