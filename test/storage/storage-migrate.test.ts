import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { migrateStorage } from '../../src/cli/storage.js';
import { initVault, openVault } from '../../src/engine/vault/vault.js';
import { VaultFiles } from '../../src/resources/vaults/vault-files.js';
import { collectBody } from '../../src/storage/blob-store.js';
import { LocalBlobStore } from '../../src/storage/local-blob-store.js';
import { createTestBucket, s3Skip, testS3, type TestBucket } from '../helpers/s3.js';

describe('coffer storage migrate', { skip: s3Skip(), timeout: 120_000 }, () => {
  let bucket: TestBucket | undefined;
  let dir = '';
  after(async () => {
    await bucket?.drop();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('copies vaults and log files, verifies them, skips what is there and repairs what differs', async () => {
    bucket = await createTestBucket(testS3()!);
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'coffer-migrate-'));
    const local = new LocalBlobStore(dir);
    const vault = await initVault(new VaultFiles(local, 'vault-1'), 'pw');
    await vault.close();
    await local.put('vaults/vault-1/data/ab/abcdef', randomBytes(300_000));
    await local.put('logfiles/agent-1/log-1.gz', Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    await fs.mkdir(path.join(dir, 'vaults/vault-1/tmp'), { recursive: true });
    await fs.writeFile(path.join(dir, 'vaults/vault-1/tmp/half-a-pack'), 'x');
    await fs.writeFile(path.join(dir, 'coffer.db'), 'not moved');

    const target = bucket.store('moved/');
    const first = await migrateStorage(local, target);
    const expected = (await local.list('vaults/')).map((b) => b.key).filter((k) => !k.includes('/tmp/')).length + 1;
    assert.equal(first.copied, expected);
    assert.equal(first.skipped, 0);
    const keys = await bucket.keys('moved/');
    assert.ok(keys.includes('moved/logfiles/agent-1/log-1.gz'));
    assert.ok(!keys.some((k) => k.includes('tmp') || k.includes('coffer.db')), keys.join(' '));
    for (const key of keys.map((k) => k.slice('moved/'.length))) {
      assert.deepEqual(await collectBody(await target.read(key)), await collectBody(await local.read(key)), key);
    }
    // The migrated vault opens from the bucket with its password.
    const opened = await openVault(new VaultFiles(target, 'vault-1'), 'pw');
    await opened.close();

    // Interrupted and started again: nothing to copy. A file that differs in the bucket is copied again.
    await target.put('vaults/vault-1/data/ab/abcdef', Buffer.from('damaged'));
    const second = await migrateStorage(local, target);
    assert.deepEqual({ copied: second.copied, skipped: second.skipped }, { copied: 1, skipped: expected - 1 });
    assert.deepEqual(await collectBody(await target.read('vaults/vault-1/data/ab/abcdef')), await collectBody(await local.read('vaults/vault-1/data/ab/abcdef')));
    await target.close();
  });
});
