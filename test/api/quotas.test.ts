import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildWorld, OTHER_PROJECT, PROJECT, registerAgent, type World } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

describe('vault quotas', { timeout: 60_000 }, () => {
  let t: TestServer;
  let w: World;
  before(async () => {
    t = await startTestServer();
    w = await buildWorld(t);
  });
  after(() => t.close());

  const put = (vaultId: string, name: string, bytes: number, token: string) =>
    t.request('PUT', `/vaults/${vaultId}/files/${name}`, { token, raw: 'x'.repeat(bytes), contentType: 'application/octet-stream' });
  const remove = (vaultId: string, name: string, token: string) => t.request('DELETE', `/vaults/${vaultId}/files/${name}`, { token });

  it('are unlimited by default and count bytes and files as they are written, replaced and deleted', async () => {
    const agent = await registerAgent(t, w.admin);
    const fresh = await t.request('GET', `/v2/${PROJECT}/agents/${agent.id}/quota`, { token: w.observer });
    assert.equal(fresh.status, 200, fresh.text);
    assert.deepEqual(fresh.body.limits, { bytes: null, files: null });
    assert.deepEqual(fresh.body.usage, { bytes: 0, files: 0 });
    // Vault history is append-only: lock files are the ones an agent may replace and delete at any time.
    assert.equal((await put(agent.vaultId, 'locks/aa01', 100, agent.token)).status, 201);
    assert.equal((await put(agent.vaultId, 'locks/aa02', 50, agent.token)).status, 201);
    assert.equal((await put(agent.vaultId, 'locks/aa02', 20, agent.token)).status, 201);
    let quota = await t.request('GET', `/v2/${PROJECT}/agents/${agent.id}/quota`, { token: agent.token });
    assert.deepEqual(quota.body.usage, { bytes: 120, files: 2 });
    assert.equal((await remove(agent.vaultId, 'locks/aa01', agent.token)).status, 204);
    assert.equal((await remove(agent.vaultId, 'locks/aa01', agent.token)).status, 204);
    quota = await t.request('GET', `/v2/${PROJECT}/agents/${agent.id}/quota`, { token: w.admin });
    assert.deepEqual(quota.body.usage, { bytes: 20, files: 1 });
    const project = await t.request('GET', `/v2/${PROJECT}/quota`, { token: w.observer });
    assert.equal(project.status, 200);
    assert.ok(project.body.usage.bytes >= 20);
  });

  it("refuses an agent's upload past its byte limit with 507, and a file larger than the limit with 413", async () => {
    const agent = await registerAgent(t, w.admin);
    const set = await t.request('PUT', `/v2/${PROJECT}/agents/${agent.id}/quota`, { token: w.admin, body: { bytes: 1000 } });
    assert.equal(set.status, 200, set.text);
    assert.deepEqual(set.body.limits, { bytes: 1000, files: null });
    assert.equal((await put(agent.vaultId, 'locks/bb01', 900, agent.token)).status, 201);
    const over = await put(agent.vaultId, 'data/bb02', 200, agent.token);
    assert.equal(over.status, 507, over.text);
    assert.match(over.body.message, new RegExp(`vault quota of agent ${agent.id} is 1000 bytes`));
    const huge = await put(agent.vaultId, 'data/bb03', 1001, agent.token);
    assert.equal(huge.status, 413, huge.text);
    assert.match(huge.body.message, /larger than the vault quota .* \(1000 bytes\)/);
    // Nothing of the refused files was kept, and a replacement that fits still goes in.
    const listing = await t.request('GET', `/vaults/${agent.vaultId}/files`, { token: agent.token });
    assert.deepEqual(
      listing.body.files.map((f: { name: string }) => f.name),
      ['locks/bb01'],
    );
    assert.equal((await put(agent.vaultId, 'locks/bb01', 1000, agent.token)).status, 201);
    const quota = await t.request('GET', `/v2/${PROJECT}/agents/${agent.id}/quota`, { token: w.creator });
    assert.deepEqual(quota.body.usage, { bytes: 1000, files: 1 });
  });

  it('checks the size actually received when the upload declares no length', async () => {
    const agent = await registerAgent(t, w.admin);
    await t.request('PUT', `/v2/${PROJECT}/agents/${agent.id}/quota`, { token: w.admin, body: { bytes: 100 } });
    const chunked = await fetch(`${t.url}/vaults/${agent.vaultId}/files/data/cc01`, {
      method: 'PUT',
      headers: { 'x-auth-token': agent.token, 'content-type': 'application/octet-stream' },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(Buffer.alloc(80));
          controller.enqueue(Buffer.alloc(80));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    assert.equal(chunked.status, 413, await chunked.text());
    const dir = path.join(t.database.dataDir, 'vaults', agent.vaultId, 'data');
    const kept = fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).filter((n) => String(n).includes('cc01')) : [];
    assert.deepEqual(kept, []);
  });

  it('refuses a new file past the file limit, while replacing and deleting still work', async () => {
    const agent = await registerAgent(t, w.admin);
    await t.request('PUT', `/v2/${PROJECT}/agents/${agent.id}/quota`, { token: w.admin, body: { files: 2 } });
    assert.equal((await put(agent.vaultId, 'locks/dd01', 10, agent.token)).status, 201);
    assert.equal((await put(agent.vaultId, 'locks/dd02', 10, agent.token)).status, 201);
    const third = await put(agent.vaultId, 'index/dd03', 10, agent.token);
    assert.equal(third.status, 507, third.text);
    assert.match(third.body.message, /is 2 files; 2 are stored/);
    assert.equal((await put(agent.vaultId, 'locks/dd02', 30, agent.token)).status, 201);
    assert.equal((await remove(agent.vaultId, 'locks/dd01', agent.token)).status, 204);
    assert.equal((await put(agent.vaultId, 'index/dd03', 10, agent.token)).status, 201);
  });

  it("applies the project's limit across its agents; only the server's administrator sets it", async () => {
    const project = 'quota-project';
    const a = await registerAgent(t, 'test-admin-token-0123456789', project);
    const b = await registerAgent(t, 'test-admin-token-0123456789', project);
    const byProjectAdmin = await t.request('PUT', `/v2/${PROJECT}/quota`, { token: w.admin, body: { bytes: 1 } });
    assert.equal(byProjectAdmin.status, 403);
    const set = await t.request('PUT', `/v2/${project}/quota`, { body: { bytes: 300, files: null } });
    assert.equal(set.status, 200, set.text);
    assert.equal((await put(a.vaultId, 'data/ee01', 200, a.token)).status, 201);
    const over = await put(b.vaultId, 'data/ee02', 200, b.token);
    assert.equal(over.status, 507);
    assert.match(over.body.message, /vault quota of project quota-project is 300 bytes; 200 are used/);
    const usage = await t.request('GET', `/v2/${project}/quota`);
    assert.deepEqual(usage.body, { project_id: project, limits: { bytes: 300, files: null }, usage: { bytes: 200, files: 1 } });
    const unlimited = await t.request('PUT', `/v2/${project}/quota`, { body: { bytes: null } });
    assert.deepEqual(unlimited.body.limits, { bytes: null, files: null });
    assert.equal((await put(b.vaultId, 'data/ee02', 200, b.token)).status, 201);
  });

  it('lets only admins set limits, validates them, and hides other projects', async () => {
    const path = `/v2/${PROJECT}/agents/${w.agent.id}/quota`;
    assert.equal((await t.request('PUT', path, { token: w.creator, body: { bytes: 5 } })).status, 403);
    assert.equal((await t.request('PUT', path, { token: w.agent.token, body: { bytes: 5 } })).status, 403);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/agents/${w.otherAgent.id}/quota`, { token: w.agent.token })).status, 404);
    assert.equal((await t.request('GET', path, { token: w.stranger })).status, 404);
    assert.equal((await t.request('GET', `/v2/${OTHER_PROJECT}/agents/${w.agent.id}/quota`, { token: w.stranger })).status, 404);
    assert.equal((await t.request('GET', path, { token: null })).status, 401);
    for (const body of [{ bytes: -1 }, { bytes: 1.5 }, { bytes: '10' }, { files: true }, { other: 1 }, {}, []]) {
      const res = await t.request('PUT', path, { token: w.admin, body });
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
    }
    const current = await t.request('GET', path, { token: w.admin });
    assert.deepEqual(current.body.limits, { bytes: null, files: null });
  });

  it('refuses vault file names whose id starts with a dot', async () => {
    for (const name of ['data/..x', 'data/.x', 'keys/..', 'index/.']) {
      const res = await put(w.agent.vaultId, name, 1, w.agent.token);
      assert.equal(res.status, 400, `${name}: ${res.text}`);
    }
    assert.equal(fs.existsSync(path.join(t.database.dataDir, 'vaults', w.agent.vaultId, '..x')), false);
  });
});
