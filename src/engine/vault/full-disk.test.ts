import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { it } from 'node:test';
import { readAll } from '../backend/read-all.js';
import { MemoryBackend } from '../backend/memory-backend.js';
import { VaultError } from '../errors.js';
import { pseudoRandomBytes } from '../testing/tree-fixture.js';
import { TEST_SCRYPT, withTempDir } from '../testing/temp-dir.js';
import { initVault } from './vault.js';

/** A backend that runs out of space after `capacity` bytes, the way a full disk does. */
class FullDiskBackend extends MemoryBackend {
  used = 0;
  constructor(private readonly capacity: number) {
    super();
  }

  override async save(name: string, data: Buffer | Readable): Promise<void> {
    const content = await readAll(data);
    if (this.used + content.length > this.capacity) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    this.used += content.length;
    await super.save(name, content);
  }
}

it('a full disk fails the backup with NO_SPACE and leaves a vault that checks clean and backs up once space is back', async () => {
  await withTempDir('full', async (dir) => {
    const src = path.join(dir, 'src');
    await fs.mkdir(src);
    for (let i = 0; i < 8; i++) await fs.writeFile(path.join(src, `f${i}`), pseudoRandomBytes(600_000, i + 1));
    const backend = new FullDiskBackend(2_000_000);
    const vault = await initVault(backend, 'pw', { scrypt: TEST_SCRYPT, packSize: 700_000 });
    await assert.rejects(vault.backup({ paths: [src] }), (err: unknown) => err instanceof VaultError && err.code === 'NO_SPACE' && /no space/.test(err.message));
    assert.equal((await vault.listSnapshots()).length, 0);
    assert.deepEqual((await vault.check({ readData: true })).errors, []);
    (backend as unknown as { capacity: number }).capacity = Number.MAX_SAFE_INTEGER;
    const summary = await vault.backup({ paths: [src] });
    assert.equal(summary.filesNew, 8);
    assert.deepEqual((await vault.check({ readData: true })).errors, []);
  });
});
