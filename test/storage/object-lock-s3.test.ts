import assert from 'node:assert/strict';
import { DeleteObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { after, describe, it } from 'node:test';
import { VaultHttpBackend } from '../../src/agent/vault-http-backend.js';
import type { TokenSource } from '../../src/net/token-refresh.js';
import { parseStorageUrl } from '../../src/storage/storage-url.js';
import { buildWorld, PROJECT, registerAgent } from '../helpers/fixtures.js';
import { adminClient, createTestBucket, s3Skip, testS3, useS3Credentials, type TestBucket } from '../helpers/s3.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

// S3 Object Lock per project, against a real Ceph RGW: the retention is signed into every presigned upload, so
// the stored version cannot be deleted before its date, not even with the server's own credentials.
const s3 = testS3();
const servers: TestServer[] = [];
const buckets: TestBucket[] = [];
after(async () => {
  for (const t of servers) await t.close();
  for (const b of buckets) await b.drop();
});

async function serverOn(objectLock: boolean) {
  useS3Credentials(s3!);
  const bucket = await createTestBucket(s3!, { objectLock });
  buckets.push(bucket);
  const t = await startTestServer({ storage: parseStorageUrl(bucket.url('vaults'), '') });
  servers.push(t);
  return { t, bucket, world: await buildWorld(t) };
}

const fixedToken = (token: string): TokenSource => ({ token: async () => token, refresh: async () => token });
const lockPath = `/v2/${PROJECT}/object-lock`;

describe('S3 Object Lock per project', { skip: s3Skip(), timeout: 120_000 }, () => {
  it('retains every vault file an agent uploads (not locks); the version cannot be deleted before its date', async () => {
    const { t, bucket, world } = await serverOn(true);
    const set = await t.request('PUT', lockPath, { body: { mode: 'GOVERNANCE', days: 2 } });
    assert.equal(set.status, 200, set.text);
    assert.deepEqual(set.body, { project_id: PROJECT, enabled: true, mode: 'GOVERNANCE', days: 2 });
    assert.deepEqual((await t.request('GET', lockPath, { token: world.observer })).body, set.body);

    const agent = await registerAgent(t, world.admin);
    const backend = new VaultHttpBackend({ url: `${t.url}/vaults/${agent.vaultId}`, tokens: fixedToken(agent.token) });
    await backend.save('data/0a1b2c', Buffer.alloc(5000, 3));
    await backend.save('locks/9f8e7d', Buffer.from('lock'));
    assert.deepEqual(await backend.load('data/0a1b2c', { offset: 0, length: 4 }), Buffer.alloc(4, 3));

    const client = adminClient(s3!);
    const keyOf = async (id: string) => (await bucket.keys()).find((key) => key.endsWith(`/${id}`))!;
    const data = await client.send(new HeadObjectCommand({ Bucket: bucket.name, Key: await keyOf('0a1b2c') }));
    assert.equal(data.ObjectLockMode, 'GOVERNANCE');
    const days = (data.ObjectLockRetainUntilDate!.getTime() - Date.now()) / 86_400_000;
    assert.ok(days > 1.9 && days <= 2, `retained for ${days} days`);
    const lock = await client.send(new HeadObjectCommand({ Bucket: bucket.name, Key: await keyOf('9f8e7d') }));
    assert.equal(lock.ObjectLockMode, undefined, 'locks are not retained');

    await assert.rejects(client.send(new DeleteObjectCommand({ Bucket: bucket.name, Key: await keyOf('0a1b2c'), VersionId: data.VersionId })), (err: Error) => err.name === 'AccessDenied');
  });

  it('refuses an upload without its MD5 (400), and a presigned URL used without the retention headers (403)', async () => {
    const { t, world } = await serverOn(true);
    assert.equal((await t.request('PUT', lockPath, { body: { mode: 'GOVERNANCE', days: 1 } })).status, 200);
    const agent = await registerAgent(t, world.admin);
    const noMd5 = await t.request('POST', `/vaults/${agent.vaultId}/uploads/data/ab01?size=4`, { token: agent.token });
    assert.equal(noMd5.status, 400, noMd5.text);
    assert.match(noMd5.body.message, /md5/);
    const md5 = 'CY9rzUYh03PK3k6DJie09g=='; // MD5 of "test"
    const grant = await t.request('POST', `/vaults/${agent.vaultId}/uploads/data/ab01?size=4&md5=${encodeURIComponent(md5)}`, { token: agent.token });
    assert.equal(grant.status, 200, grant.text);
    const { 'x-amz-object-lock-mode': _mode, 'x-amz-object-lock-retain-until-date': _until, ...withoutRetention } = grant.body.headers as Record<string, string>;
    const stripped = await fetch(grant.body.url, { method: 'PUT', headers: withoutRetention, body: 'test' });
    assert.equal(stripped.status, 403);
    const wrongBytes = await fetch(grant.body.url, { method: 'PUT', headers: grant.body.headers, body: 'tess' });
    assert.equal(wrongBytes.status, 400, 'the storage checks the signed MD5');
    const right = await fetch(grant.body.url, { method: 'PUT', headers: grant.body.headers, body: 'test' });
    assert.equal(right.status, 200);
    // Switching it off: new uploads carry no retention and need no MD5.
    assert.equal((await t.request('PUT', lockPath, { body: { days: 0 } })).body.enabled, false);
    assert.equal((await t.request('POST', `/vaults/${agent.vaultId}/uploads/data/ab02?size=4`, { token: agent.token })).status, 200);
  });

  it('is refused on a bucket without Object Lock (409), to other callers than the global administrator (403), and for bad input (400); nothing is stored', async () => {
    const { t, world } = await serverOn(false);
    const plain = await t.request('PUT', lockPath, { body: { mode: 'GOVERNANCE', days: 1 } });
    assert.equal(plain.status, 409, plain.text);
    assert.match(plain.body.message ?? JSON.stringify(plain.body), /Object Lock/);
    assert.equal((await t.request('PUT', lockPath, { token: world.admin, body: { mode: 'GOVERNANCE', days: 1 } })).status, 403);
    for (const [body, field] of [
      [{ mode: 'GOVERNANCE', days: -1 }, 'days'],
      [{ days: 3 }, 'mode'],
      [{ mode: 'FOREVER', days: 3 }, 'mode'],
      [{ mode: 'GOVERNANCE', days: 36_501 }, 'days'],
      [{ mode: 'GOVERNANCE', days: 1, keep: true }, 'keep'],
    ] as const) {
      const bad = await t.request('PUT', lockPath, { body });
      assert.equal(bad.status, 400, `${JSON.stringify(body)}: ${bad.text}`);
      assert.match(bad.text, new RegExp(field));
    }
    assert.equal((await t.request('GET', lockPath)).body.enabled, false);
  });

  it('is refused with a local vault directory (409)', async () => {
    const t = await startTestServer();
    servers.push(t);
    const local = await t.request('PUT', lockPath, { body: { mode: 'GOVERNANCE', days: 1 } });
    assert.equal(local.status, 409, local.text);
    assert.match(local.text, /object storage/);
  });
});
