import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { LocalBackend } from '../backend/local-backend.js';
import { MemoryBackend } from '../backend/memory-backend.js';
import { DEFAULT_CHUNK_SIZES } from '../chunker/fastcdc.js';
import { VaultError } from '../errors.js';
import { assertSameTree, buildEdgeCaseTree, pseudoRandomBytes } from '../testing/tree-fixture.js';
import { TEST_SCRYPT, withTempDir } from '../testing/temp-dir.js';
import { initVault } from './vault.js';

const SMALL_CHUNKS = { minSize: 16 * 1024, avgSize: 64 * 1024, maxSize: 256 * 1024 };
const SPARSE_SIZE = 256 * 1024 * 1024;

describe('backup and restore round trips', () => {
  it('restores an edge-case tree byte for byte, with modes, times, symlinks, empty dirs and a sparse file', async () => {
    await withTempDir('roundtrip', async (dir) => {
      const src = path.join(dir, 'src');
      await buildEdgeCaseTree(src, { chunk: SMALL_CHUNKS, sparseSize: SPARSE_SIZE });
      const vault = await initVault(new LocalBackend(path.join(dir, 'vault')), 'pw', { scrypt: TEST_SCRYPT, chunker: SMALL_CHUNKS, packSize: 1 << 20 });
      const progress: number[] = [];
      const first = await vault.backup({ paths: [src], onProgress: (p) => progress.push(p.bytesDone) });
      assert.deepEqual(first.errors, []);
      assert.equal(first.filesChanged + first.filesUnmodified, 0);
      assert.ok(first.filesNew >= 20, `files ${first.filesNew}`);
      assert.ok(first.dataAdded < 10 * 1024 * 1024, 'the sparse file and duplicates are stored once');
      assert.ok(progress.length > 0 && progress.at(-1) === first.totalBytes, 'progress ends at the total');

      const out = path.join(dir, 'out');
      const restored = await vault.restore({ snapshot: first.snapshotId, target: out });
      assert.deepEqual(restored.errors, []);
      assert.equal(restored.filesRestored, first.totalFiles);
      assert.equal(restored.symlinksRestored, 4);
      await assertSameTree(src, path.join(out, src));
      const sparse = await fs.stat(path.join(out, src, 'sparse.img'));
      assert.equal(sparse.size, SPARSE_SIZE);
      assert.ok(sparse.blocks * 512 < 8 * 1024 * 1024, `sparse file restored with holes (${sparse.blocks} blocks)`);
      assert.ok(
        (await fs.readdir(path.join(out, src, 'unicode'))).every((n) => !n.startsWith('.coffer-restore')),
        'no temporary files left',
      );

      const check = await vault.check({ readData: true });
      assert.deepEqual(check.errors, []);
    });
  });

  it('skips unchanged files using the parent snapshot and picks up changes', async () => {
    await withTempDir('incremental', async (dir) => {
      const src = path.join(dir, 'src');
      await fs.mkdir(path.join(src, 'sub'), { recursive: true });
      for (let i = 0; i < 20; i++) await fs.writeFile(path.join(src, 'sub', `f${i}`), pseudoRandomBytes(50_000 + i, i + 1));
      const vault = await initVault(new MemoryBackend(), 'pw', { scrypt: TEST_SCRYPT, chunker: SMALL_CHUNKS });
      const first = await vault.backup({ paths: [src] });
      const second = await vault.backup({ paths: [src] });
      assert.equal(second.parentId, first.snapshotId);
      assert.equal(second.filesUnmodified, 20);
      assert.equal(second.filesNew + second.filesChanged, 0);
      assert.equal(second.dataAdded, 0);

      await fs.writeFile(path.join(src, 'sub', 'f3'), pseudoRandomBytes(70_000, 99));
      await fs.writeFile(path.join(src, 'new-file'), 'new');
      await fs.rm(path.join(src, 'sub', 'f7'));
      const third = await vault.backup({ paths: [src] });
      assert.equal(third.filesChanged, 1);
      assert.equal(third.filesNew, 1);
      assert.equal(third.filesUnmodified, 18);
      const full = await vault.backup({ paths: [src], parent: null });
      assert.equal(full.filesNew, 20);
      assert.equal(full.dataAdded, 0, 'a full re-read adds nothing: chunks dedup');

      const out = path.join(dir, 'out');
      await vault.restore({ snapshot: third.snapshotHash.slice(0, 10), target: out });
      await assertSameTree(src, path.join(out, src), { skipRootTimes: true });
      assert.equal((await vault.listSnapshots()).length, 4);
    });
  });

  it('stores text smaller with compression "small" and restores it exactly', async () => {
    await withTempDir('small', async (dir) => {
      const src = path.join(dir, 'src');
      await fs.mkdir(src);
      const lines = Array.from({ length: 40_000 }, (_, i) => `${1_700_000_000 + i} INFO request id=${((i * 2654435761) >>> 0).toString(16)} took ${i % 977} ms\n`);
      await fs.writeFile(path.join(src, 'app.log'), lines.join(''));
      const stored: Record<string, number> = {};
      for (const compression of ['fast', 'small'] as const) {
        const vault = await initVault(new MemoryBackend(), 'pw', { scrypt: TEST_SCRYPT, compression });
        await vault.backup({ paths: [src] });
        stored[compression] = (await vault.stats()).storedBytes;
        const out = path.join(dir, `out-${compression}`);
        await vault.restore({ snapshot: 'latest', target: out });
        await assertSameTree(src, path.join(out, src));
      }
      assert.ok(stored.small! < stored.fast!, `small ${stored.small} < fast ${stored.fast}`);
    });
  });

  it('round-trips files on the default chunk boundaries', async () => {
    await withTempDir('bounds', async (dir) => {
      const src = path.join(dir, 'src');
      await fs.mkdir(src);
      const { minSize, avgSize, maxSize } = DEFAULT_CHUNK_SIZES;
      for (const [i, size] of [minSize - 1, minSize, minSize + 1, avgSize, maxSize, maxSize + 1].entries()) {
        await fs.writeFile(path.join(src, `size-${size}`), pseudoRandomBytes(size, i + 10));
      }
      const vault = await initVault(new MemoryBackend(), 'pw', { scrypt: TEST_SCRYPT });
      const summary = await vault.backup({ paths: [src] });
      assert.equal(summary.filesNew, 6);
      const out = path.join(dir, 'out');
      await vault.restore({ snapshot: 'latest', target: out });
      await assertSameTree(src, path.join(out, src));
    });
  });

  it('applies inclusions and exclusions on backup and on restore', async () => {
    await withTempDir('filters', async (dir) => {
      const src = path.join(dir, 'web');
      for (const rel of ['index.html', 'cache/a.bin', 'cache/b.bin', 'img/cache.jpg', 'img/logo.png', 'etc/app.conf', 'etc/other.conf']) {
        await fs.mkdir(path.dirname(path.join(src, rel)), { recursive: true });
        await fs.writeFile(path.join(src, rel), rel);
      }
      const vault = await initVault(new MemoryBackend(), 'pw', { scrypt: TEST_SCRYPT, chunker: SMALL_CHUNKS });
      const summary = await vault.backup({
        inclusions: [
          { type: 'folder', path: `${src}/` },
          { type: 'file', path: `${src}/etc/app.conf` },
        ],
        exclusions: [
          { type: 'folder', path: `${src}/cache/` },
          { type: 'file', path: `${src}/img/cache.jpg` },
        ],
      });
      assert.equal(summary.totalFiles, 4);
      const listed = (await vault.ls(summary.snapshotId, src, { recursive: true })).map((e) => e.path.slice(src.length));
      assert.deepEqual(listed.sort(), ['/etc', '/etc/app.conf', '/etc/other.conf', '/img', '/img/logo.png', '/index.html']);

      const out = path.join(dir, 'out');
      const restored = await vault.restore({
        snapshot: summary.snapshotId,
        target: out,
        inclusions: [
          { type: 'folder', path: `${src}/etc` },
          { type: 'file', path: `${src}/index.html` },
        ],
        exclusions: [{ type: 'file', path: `${src}/etc/other.conf` }],
      });
      assert.equal(restored.filesRestored, 2);
      const files = await fs.readdir(path.join(out, src), { recursive: true });
      assert.deepEqual(files.sort(), ['etc', 'etc/app.conf', 'index.html']);
    });
  });

  it('leaves existing files alone unless overwrite is set', async () => {
    await withTempDir('overwrite', async (dir) => {
      const src = path.join(dir, 'src');
      await fs.mkdir(src);
      await fs.writeFile(path.join(src, 'a.txt'), 'from the backup');
      const vault = await initVault(new MemoryBackend(), 'pw', { scrypt: TEST_SCRYPT });
      const { snapshotId } = await vault.backup({ paths: [src] });
      await fs.writeFile(path.join(src, 'a.txt'), 'changed since');
      const kept = await vault.restore({ snapshot: snapshotId });
      assert.equal(kept.filesSkipped, 1);
      assert.equal(await fs.readFile(path.join(src, 'a.txt'), 'utf8'), 'changed since');
      const replaced = await vault.restore({ snapshot: snapshotId, overwrite: true });
      assert.equal(replaced.filesRestored, 1);
      assert.equal(await fs.readFile(path.join(src, 'a.txt'), 'utf8'), 'from the backup');
    });
  });

  it('reports unreadable and missing paths and still completes the snapshot', async () => {
    await withTempDir('errors', async (dir) => {
      const src = path.join(dir, 'src');
      await fs.mkdir(src);
      await fs.writeFile(path.join(src, 'ok.txt'), 'fine');
      const vault = await initVault(new MemoryBackend(), 'pw', { scrypt: TEST_SCRYPT });
      // Reading /proc/self/mem from offset 0 fails with EIO on Linux, even for root.
      const unreadable = process.platform === 'linux' ? [{ type: 'file' as const, path: '/proc/self/mem' }] : [];
      const summary = await vault.backup({
        paths: [src],
        inclusions: [...unreadable, { type: 'file', path: path.join(dir, 'missing.txt') }],
      });
      const reported = summary.errors.map((e) => e.path).sort();
      assert.deepEqual(reported, [path.join(dir, 'missing.txt'), ...unreadable.map((u) => u.path)].sort());
      assert.match(summary.errors.find((e) => e.path.endsWith('missing.txt'))!.reason, /ENOENT/);
      assert.equal(summary.filesNew, 1);
      const files = await vault.ls(summary.snapshotId, src);
      assert.deepEqual(
        files.map((f) => f.name),
        ['ok.txt'],
      );

      await assert.rejects(vault.backup({ paths: [path.join(dir, 'nothing-here')] }), (err: unknown) => err instanceof VaultError && err.code === 'PATH_NOT_FOUND');
    });
  });

  it('stops within two seconds when aborted and the next backup reuses what was written', async () => {
    await withTempDir('abort', async (dir) => {
      const src = path.join(dir, 'src');
      await fs.mkdir(src);
      for (let i = 0; i < 40; i++) await fs.writeFile(path.join(src, `f${i}`), pseudoRandomBytes(2 * 1024 * 1024, i + 1));
      const vault = await initVault(new LocalBackend(path.join(dir, 'vault')), 'pw', { scrypt: TEST_SCRYPT, packSize: 4 << 20 });
      const controller = new AbortController();
      let abortedAt = 0;
      const run = vault.backup({
        paths: [src],
        signal: controller.signal,
        onProgress: (p) => {
          if (!abortedAt && p.bytesDone > 30 * 1024 * 1024) {
            abortedAt = Date.now();
            controller.abort();
          }
        },
      });
      await assert.rejects(run, (err: unknown) => err instanceof VaultError && err.code === 'ABORTED');
      assert.ok(abortedAt > 0, 'progress reached the abort point');
      assert.ok(Date.now() - abortedAt < 2000, `stopped after ${Date.now() - abortedAt} ms`);
      assert.equal((await vault.listSnapshots()).length, 0);
      assert.deepEqual((await vault.check()).errors, []);
      const next = await vault.backup({ paths: [src] });
      assert.ok(next.dataAdded < 80 * 1024 * 1024 - 20 * 1024 * 1024, `reused earlier packs (added ${next.dataAdded})`);
      assert.deepEqual((await vault.check({ readData: true })).errors, []);
    });
  });
});
