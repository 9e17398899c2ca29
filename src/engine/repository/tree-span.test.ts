import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { ByteRange } from '../backend/backend.js';
import { MemoryBackend } from '../backend/memory-backend.js';
import { assertSameTree } from '../testing/tree-fixture.js';
import { TEST_SCRYPT, withTempDir } from '../testing/temp-dir.js';
import { initVault, openVault } from '../vault/vault.js';

const DIRECTORIES = 60;

/** Counts ranged reads of pack files; optionally refuses reads longer than `maxRead` bytes (a backend that cannot serve a span). */
class CountingBackend extends MemoryBackend {
  packReads = 0;
  maxRead = Infinity;
  override async load(name: string, range?: ByteRange): Promise<Buffer> {
    if (name.startsWith('data/')) {
      this.packReads++;
      if (range && range.length > this.maxRead) throw new Error(`read of ${range.length} bytes refused`);
    }
    return super.load(name, range);
  }
}

async function manyDirectories(src: string): Promise<void> {
  for (let i = 0; i < DIRECTORIES; i++) {
    await fs.mkdir(path.join(src, `d${i}`), { recursive: true });
    await fs.writeFile(path.join(src, `d${i}`, 'f'), `file ${i}\n`);
  }
}

describe('tree reads', () => {
  it('walk a parent snapshot with one read per pack of trees, not one per directory', async () => {
    await withTempDir('tree-span', async (dir) => {
      const src = path.join(dir, 'src');
      await manyDirectories(src);
      const backend = new CountingBackend();
      await (await initVault(backend, 'pw', { scrypt: TEST_SCRYPT })).backup({ paths: [src] });
      const treePacks = (await backend.list('data/')).length;
      backend.packReads = 0;
      const again = await (await openVault(backend, 'pw')).backup({ paths: [src] });
      assert.equal(again.filesUnmodified, DIRECTORIES);
      assert.ok(backend.packReads <= treePacks, `${backend.packReads} pack reads for ${DIRECTORIES + 1} parent trees in ${treePacks} packs`);
    });
  });

  it('fall back to reading each tree when the span cannot be read', async () => {
    await withTempDir('tree-span-fallback', async (dir) => {
      const src = path.join(dir, 'src');
      await manyDirectories(src);
      const backend = new CountingBackend();
      const first = await (await initVault(backend, 'pw', { scrypt: TEST_SCRYPT })).backup({ paths: [src] });
      backend.maxRead = 4096; // every single tree (the root is about 3 KB), not the span of all of them
      backend.packReads = 0;
      const vault = await openVault(backend, 'pw');
      const again = await vault.backup({ paths: [src] });
      assert.equal(again.filesUnmodified, DIRECTORIES);
      assert.ok(backend.packReads > DIRECTORIES, 'each tree was read on its own');
      const out = path.join(dir, 'out');
      const restored = await vault.restore({ snapshot: first.snapshotId, target: out });
      assert.deepEqual(restored.errors, []);
      await assertSameTree(src, path.join(out, src));
    });
  });
});
