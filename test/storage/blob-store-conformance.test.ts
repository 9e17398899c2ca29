import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { runBackendConformance } from '../../src/engine/backend/conformance.js';
import { VaultFiles } from '../../src/resources/vaults/vault-files.js';
import { BlobExistsError, TooLargeError, type BlobStore } from '../../src/storage/blob-store.js';
import { LocalBlobStore } from '../../src/storage/local-blob-store.js';
import { S3BlobStore } from '../../src/storage/s3-blob-store.js';
import { createTestBucket, s3Skip, testS3, type TestBucket } from '../helpers/s3.js';

// The engine's backend conformance suite, through the server's vault files, on every blob store.
let vaultSeq = 0;
const freshVault = (store: BlobStore) => new VaultFiles(store, `v${process.pid}-${++vaultSeq}`);

runBackendConformance('server vault files on a local directory', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'coffer-blobs-'));
  return { backend: freshVault(new LocalBlobStore(dir)), cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
});

const s3 = testS3();
let bucket: Promise<TestBucket> | undefined;
const sharedBucket = () => (bucket ??= createTestBucket(s3!));
after(async () => {
  if (bucket) await (await bucket).drop();
});

if (s3) {
  runBackendConformance('server vault files on S3 (Ceph RGW, path-style)', async () => {
    const store = (await sharedBucket()).store('conformance/');
    return { backend: freshVault(store) };
  });
}

/** What the server relies on beyond the engine's backend: create-only puts, size limits, one-line start checks. */
function blobStoreBehaviour(label: string, make: () => Promise<{ store: BlobStore; cleanup?: () => Promise<void> }>, skip: string | false): void {
  describe(`blob store: ${label}`, { skip }, () => {
    it('refuses a create-only put over an existing key and keeps the first content', async () => {
      const { store, cleanup } = await make();
      try {
        await store.put('vaults/x/snapshots/s1', Buffer.from('first'), { ifAbsent: true });
        await assert.rejects(store.put('vaults/x/snapshots/s1', Buffer.from('second'), { ifAbsent: true }), BlobExistsError);
        const body = Buffer.concat(await (await store.read('vaults/x/snapshots/s1')).toArray());
        assert.equal(body.toString(), 'first');
      } finally {
        await store.close();
        await cleanup?.();
      }
    });

    it('refuses a body over the limit and keeps nothing', async () => {
      const { store, cleanup } = await make();
      try {
        await assert.rejects(store.put('logfiles/a/big.gz', randomBytes(2000), { limit: 1000 }), TooLargeError);
        assert.equal(await store.stat('logfiles/a/big.gz'), null);
      } finally {
        await store.close();
        await cleanup?.();
      }
    });

    it('rejects keys that could leave the store', async () => {
      const { store, cleanup } = await make();
      try {
        for (const bad of ['../x', 'a/../../b', '/abs', 'a//b', '', 'a/./b', 'a b']) {
          await assert.rejects(store.put(bad, Buffer.from('x')), TypeError, bad);
        }
      } finally {
        await store.close();
        await cleanup?.();
      }
    });

    it('lists nested keys under a prefix with sizes', async () => {
      const { store, cleanup } = await make();
      try {
        await store.put('logfiles/a1/l1.gz', Buffer.alloc(3));
        await store.put('logfiles/a2/l2.gz', Buffer.alloc(4));
        await store.put('vaults/v/config', Buffer.alloc(5));
        const listed = (await store.list('logfiles/')).sort((a, b) => a.key.localeCompare(b.key));
        assert.deepEqual(listed, [
          { key: 'logfiles/a1/l1.gz', size: 3 },
          { key: 'logfiles/a2/l2.gz', size: 4 },
        ]);
        assert.equal(await store.remove('logfiles/a1/l1.gz'), 3);
        assert.equal(await store.remove('logfiles/a1/l1.gz'), null);
      } finally {
        await store.close();
        await cleanup?.();
      }
    });
  });
}

blobStoreBehaviour(
  'local directory',
  async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'coffer-blobs-'));
    return { store: new LocalBlobStore(dir), cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
  },
  false,
);

blobStoreBehaviour('S3 (Ceph RGW)', async () => ({ store: (await sharedBucket()).store(`behaviour-${++vaultSeq}/`) }), s3Skip());

describe('S3 start-up check', { skip: s3Skip() }, () => {
  it('names a missing bucket', async () => {
    const store = new S3BlobStore({
      bucket: 'coffer-no-such-bucket-here',
      prefix: '',
      endpoint: s3!.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: s3!.accessKeyId, secretAccessKey: s3!.secretAccessKey },
    });
    await assert.rejects(store.check(), /^Error: storage: the bucket "coffer-no-such-bucket-here" does not exist/);
    await store.close();
  });

  it('names refused credentials', async () => {
    const { name } = await sharedBucket();
    const store = new S3BlobStore({
      bucket: name,
      prefix: '',
      endpoint: s3!.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: s3!.accessKeyId, secretAccessKey: 'wrong-secret' },
    });
    await assert.rejects(store.check(), /refused the credentials/);
    await store.close();
  });

  it('names an endpoint that does not answer', async () => {
    const { name } = await sharedBucket();
    const store = new S3BlobStore({ bucket: name, prefix: '', endpoint: 'http://127.0.0.1:9', region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    await assert.rejects(store.check(), /cannot reach http:\/\/127\.0\.0\.1:9/);
    await store.close();
  });

  it('passes for the right bucket and keys', async () => {
    const store = (await sharedBucket()).store();
    await store.check();
    await store.close();
  });
});
