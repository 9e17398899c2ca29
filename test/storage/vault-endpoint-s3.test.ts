import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { VaultHttpBackend } from '../../src/agent/vault-http-backend.js';
import type { TokenSource } from '../../src/net/token-refresh.js';
import { runBackendConformance } from '../../src/engine/backend/conformance.js';
import { buildWorld, registerAgent, type World } from '../helpers/fixtures.js';
import { createTestBucket, s3Skip, testS3, useS3Credentials, type TestBucket } from '../helpers/s3.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { parseStorageUrl } from '../../src/storage/storage-url.js';

// The server's vault endpoint with object storage behind it: the agent's backend gets presigned URLs and 307s,
// and must still behave as the engine expects (append-only, as the agent sees it).
const s3 = testS3();
let started: Promise<{ t: TestServer; world: World; bucket: TestBucket }> | undefined;
const setup = () => {
  started ??= (async () => {
    useS3Credentials(s3!);
    const bucket = await createTestBucket(s3!);
    const t = await startTestServer({ storage: parseStorageUrl(bucket.url('endpoint'), '') });
    return { t, world: await buildWorld(t), bucket };
  })();
  return started;
};
after(async () => {
  if (!started) return;
  const { t, bucket } = await started;
  await t.close();
  await bucket.drop();
});

const fixedToken = (token: string): TokenSource => ({ token: async () => token, refresh: async () => token });

if (s3) {
  runBackendConformance(
    'Coffer vault endpoint over HTTP with S3 storage (presigned)',
    async () => {
      const { t, world } = await setup();
      const agent = await registerAgent(t, world.admin);
      return { backend: new VaultHttpBackend({ url: `${t.url}/vaults/${agent.vaultId}`, tokens: fixedToken(agent.token) }) };
    },
    { appendOnly: true },
  );
}

describe('vault endpoint with S3 storage', { skip: s3Skip() }, () => {
  it('sends no vault byte through the server, and refuses streamed uploads with 409', async () => {
    const { t, world } = await setup();
    const agent = await registerAgent(t, world.admin);
    const be = new VaultHttpBackend({ url: `${t.url}/vaults/${agent.vaultId}`, tokens: fixedToken(agent.token) });
    const before = { ...t.server.ctx.vaultTraffic };
    await be.save('data/ab12', Buffer.alloc(100_000, 7));
    assert.equal((await be.load('data/ab12', { offset: 10, length: 10 })).length, 10);
    assert.deepEqual(t.server.ctx.vaultTraffic, before);
    const put = await t.request('PUT', `/vaults/${agent.vaultId}/files/data/ab13`, { token: agent.token, raw: 'x', contentType: 'application/octet-stream' });
    assert.equal(put.status, 409, put.text);
    const bytes = await t.server.ctx.store.db.selectFrom('agents').select('vault_bytes').where('id', '=', agent.id).executeTakeFirstOrThrow();
    assert.equal(Number(bytes.vault_bytes), 100_000);
  });

  it('signs the length: a presigned upload cannot store more than it declared', async () => {
    const { t, world } = await setup();
    const agent = await registerAgent(t, world.admin);
    const grant = await t.request('POST', `/vaults/${agent.vaultId}/uploads/data/cd34?size=10`, { token: agent.token });
    assert.equal(grant.status, 200, grant.text);
    assert.equal(grant.body.direct, true);
    const longer = await fetch(grant.body.url, { method: 'PUT', headers: { 'if-none-match': '*' }, body: Buffer.alloc(1000) });
    assert.equal(longer.status, 403);
    const bad = await t.request('POST', `/vaults/${agent.vaultId}/uploads/data/cd34?size=-1`, { token: agent.token });
    assert.equal(bad.status, 400);
    const foreign = await t.request('POST', `/vaults/${agent.vaultId}/uploads/data/cd34?size=1`, { token: world.otherAgent.token });
    assert.equal(foreign.status, 404);
  });

  it('counts a file in the vault usage once, however often its upload is authorized', async () => {
    const { t, world } = await setup();
    const agent = await registerAgent(t, world.admin);
    const usage = async () => {
      const row = await t.server.ctx.store.db.selectFrom('agents').select(['vault_bytes', 'vault_files']).where('id', '=', agent.id).executeTakeFirstOrThrow();
      return [Number(row.vault_bytes), Number(row.vault_files)];
    };
    const before = await usage();
    for (let i = 0; i < 3; i++) {
      const grant = await t.request('POST', `/vaults/${agent.vaultId}/uploads/data/ef56?size=1000`, { token: agent.token });
      assert.equal(grant.status, 200, grant.text);
    }
    assert.deepEqual(await usage(), [before[0]! + 1000, before[1]! + 1]);
    const uploaded = await t.request('POST', `/vaults/${agent.vaultId}/uploads/data/ef56?size=1000`, { token: agent.token });
    const put = await fetch(uploaded.body.url, { method: 'PUT', headers: uploaded.body.headers, body: Buffer.alloc(1000, 1) });
    assert.equal(put.status, 200);
    const again = await t.request('POST', `/vaults/${agent.vaultId}/uploads/data/ef56?size=1000`, { token: agent.token });
    assert.equal(again.status, 403, 'a stored file is not replaced');
    assert.deepEqual(await usage(), [before[0]! + 1000, before[1]! + 1]);
  });
});
