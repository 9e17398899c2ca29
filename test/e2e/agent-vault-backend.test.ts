import assert from 'node:assert/strict';
import http from 'node:http';
import { after, describe, it } from 'node:test';
import { runBackendConformance } from '../../src/engine/backend/conformance.js';
import { VaultHttpBackend } from '../../src/agent/vault-http-backend.js';
import type { TokenSource } from '../../src/net/token-refresh.js';
import { buildWorld, registerAgent, userToken, type World } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

let started: Promise<{ t: TestServer; world: World }> | undefined;
const serverAndWorld = () => {
  started ??= (async () => {
    const t = await startTestServer();
    return { t, world: await buildWorld(t) };
  })();
  return started;
};
after(async () => {
  if (started) await (await started).t.close();
});

const fixedToken = (token: string): TokenSource => ({ token: async () => token, refresh: async () => token });
const vaultUrl = (t: TestServer, vaultId: string) => `${t.url}/vaults/${vaultId}`;

// Every case gets a freshly registered agent, so an empty vault of its own.
runBackendConformance(
  'Coffer server vault endpoint over HTTP',
  async () => {
    const { t, world } = await serverAndWorld();
    const agent = await registerAgent(t, world.admin);
    return { backend: new VaultHttpBackend({ url: vaultUrl(t, agent.vaultId), tokens: fixedToken(agent.token) }) };
  },
  { appendOnly: true },
);

describe('vault endpoint access and accounting', () => {
  it('lets an agent reach only its own vault', async () => {
    const { t, world } = await serverAndWorld();
    const put = await fetch(`${vaultUrl(t, world.agent.vaultId)}/files/keys/k1`, {
      method: 'PUT',
      headers: { 'x-auth-token': world.otherAgent.token, 'content-type': 'application/octet-stream' },
      body: Buffer.from('x'),
    });
    assert.equal(put.status, 404);
    const list = await t.request('GET', `/vaults/${world.agent.vaultId}/files`, { token: world.otherAgent.token });
    assert.equal(list.status, 404);
    const anonymous = await t.request('GET', `/vaults/${world.agent.vaultId}/files`, { token: null });
    assert.equal(anonymous.status, 401);
  });

  it('lets a project administrator read but not write, and hides the vault from others', async () => {
    const { t, world } = await serverAndWorld();
    const own = new VaultHttpBackend({ url: vaultUrl(t, world.agent.vaultId), tokens: fixedToken(world.agent.token) });
    await own.save('snapshots/s1', Buffer.from('sealed'));
    const asAdmin = new VaultHttpBackend({ url: vaultUrl(t, world.agent.vaultId), tokens: fixedToken(world.admin) });
    assert.equal((await asAdmin.load('snapshots/s1')).toString(), 'sealed');
    await assert.rejects(asAdmin.save('snapshots/s2', Buffer.from('x')), /HTTP 403/);
    await assert.rejects(asAdmin.remove('snapshots/s1'), /HTTP 403/);
    const asObserver = new VaultHttpBackend({ url: vaultUrl(t, world.agent.vaultId), tokens: fixedToken(world.observer) });
    await assert.rejects(asObserver.list(''), /HTTP 403/);
    const asStranger = new VaultHttpBackend({ url: vaultUrl(t, world.agent.vaultId), tokens: fixedToken(world.stranger) });
    await assert.rejects(asStranger.list(''), /HTTP 404/);
  });

  it('refuses names outside the layout even when sent raw', async () => {
    const { t, world } = await serverAndWorld();
    for (const bad of ['data%2F..%2F..%2Fetc', 'foo/bar', 'data/a/b', '..%2Fconfig', 'keys/a%20b']) {
      const res = await t.request('PUT', `/vaults/${world.agent.vaultId}/files/${bad}`, { token: world.agent.token, raw: 'x', contentType: 'application/octet-stream' });
      assert.ok(res.status === 400 || res.status === 404, `${bad}: ${res.status} ${res.text}`);
    }
    const listing = await t.request('GET', `/vaults/${world.agent.vaultId}/files?prefix=../`, { token: world.agent.token });
    assert.equal(listing.status, 400);
  });

  it('answers 416 for a range past the end and serves exact ranges', async () => {
    const { t, world } = await serverAndWorld();
    const be = new VaultHttpBackend({ url: vaultUrl(t, world.agent.vaultId), tokens: fixedToken(world.agent.token) });
    await be.save('data/range1', Buffer.from('0123456789'));
    const res = await fetch(`${vaultUrl(t, world.agent.vaultId)}/files/data/range1`, { headers: { 'x-auth-token': world.agent.token, range: 'bytes=5-10' } });
    assert.equal(res.status, 416);
    assert.equal(res.headers.get('content-range'), 'bytes */10');
    const ok = await fetch(`${vaultUrl(t, world.agent.vaultId)}/files/data/range1`, { headers: { 'x-auth-token': world.agent.token, range: 'bytes=2-4' } });
    assert.equal(ok.status, 206);
    assert.equal(await ok.text(), '234');
  });

  it('refuses a file declared larger than the limit before reading it, and keeps nothing', async () => {
    const { t, world } = await serverAndWorld();
    const url = new URL(`${vaultUrl(t, world.agent.vaultId)}/files/data/huge1`);
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.request(url, { method: 'PUT', headers: { 'x-auth-token': world.agent.token, 'content-type': 'application/octet-stream', 'content-length': String(64 * 1024 * 1024 + 1) } });
      request.on('response', (response) => {
        resolve(response.statusCode ?? 0);
        response.resume();
        request.destroy();
      });
      request.on('error', reject);
      request.write(Buffer.alloc(1024));
    });
    assert.equal(status, 413);
    const be = new VaultHttpBackend({ url: vaultUrl(t, world.agent.vaultId), tokens: fixedToken(world.agent.token) });
    assert.deepEqual(await be.list('data/huge'), []);
  });

  it('keeps the agent vault_bytes in step with writes, lock replacements and removals', async () => {
    const { t } = await serverAndWorld();
    const creator = await userToken(t, 'creator');
    const agent = await registerAgent(t, creator);
    const bytes = async () => Number((await t.server.ctx.store.db.selectFrom('agents').select('vault_bytes').where('id', '=', agent.id).executeTakeFirstOrThrow()).vault_bytes);
    const be = new VaultHttpBackend({ url: vaultUrl(t, agent.vaultId), tokens: fixedToken(agent.token) });
    assert.equal(await bytes(), 0);
    await be.save('data/aa01', Buffer.alloc(1000));
    await be.save('index/i1', Buffer.alloc(300));
    assert.equal(await bytes(), 1300);
    await be.save('locks/l1', Buffer.alloc(100));
    await be.save('locks/l1', Buffer.alloc(40));
    assert.equal(await bytes(), 1340);
    await be.remove('locks/l1');
    await be.remove('locks/l1');
    assert.equal(await bytes(), 1300);
  });

  it('refreshes the token once after a 401', async () => {
    const { t, world } = await serverAndWorld();
    let refreshed = 0;
    const tokens: TokenSource = { token: async () => 'expired-token', refresh: async () => (refreshed++, world.agent.token) };
    const be = new VaultHttpBackend({ url: vaultUrl(t, world.agent.vaultId), tokens });
    assert.deepEqual(await be.list('locks/'), []);
    assert.equal(refreshed, 1);
  });
});
