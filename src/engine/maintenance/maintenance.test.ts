import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { LocalBackend } from '../backend/local-backend.js';
import { MemoryBackend } from '../backend/memory-backend.js';
import { VaultError } from '../errors.js';
import { Repository } from '../repository/repository.js';
import { assertSameTree, pseudoRandomBytes } from '../testing/tree-fixture.js';
import { TEST_SCRYPT, withTempDir } from '../testing/temp-dir.js';
import { acquireLock } from '../vault/lock.js';
import type { SnapshotInfo } from '../vault/snapshot.js';
import { initVault } from '../vault/vault.js';
import { planForget } from './forget.js';

const CHUNKS = { minSize: 16 * 1024, avgSize: 64 * 1024, maxSize: 256 * 1024 };

function snap(id: number, daysAgo: number, host = 'h', paths = ['/data']): SnapshotInfo {
  const now = Date.parse('2026-06-30T12:00:00Z');
  return {
    id,
    hash: id.toString(16).padStart(64, '0'),
    time: new Date(now - daysAgo * 86_400_000).toISOString(),
    host,
    username: 'u',
    paths,
    tags: [],
    tree: 't',
    summary: { filesNew: 0, filesChanged: 0, filesUnmodified: 0, dirs: 0, totalFiles: 0, totalBytes: 0, dataAdded: 0, dataAddedPacked: 0, errors: 0, durationMs: 0 },
  };
}

describe('forget policy', () => {
  const now = new Date('2026-06-30T12:00:00Z');
  const all = [snap(1, 40), snap(2, 20), snap(3, 10), snap(4, 1), snap(5, 5, 'other')];

  it('keeps the last N per host and paths', () => {
    const { remove } = planForget(all, { keepLast: 2, now });
    assert.deepEqual(remove.map((s) => s.id).sort(), [1, 2]);
  });

  it('keeps snapshots within D days', () => {
    const { remove } = planForget(all, { keepWithinDays: 15, now });
    assert.deepEqual(remove.map((s) => s.id).sort(), [1, 2]);
    assert.deepEqual(
      planForget(all, { keepWithinDays: 30, keepLast: 1, now }).remove.map((s) => s.id),
      [1],
    );
  });

  it('removes explicitly named snapshots and refuses an empty policy', () => {
    assert.deepEqual(
      planForget(all, { snapshots: [3, '5'], now })
        .remove.map((s) => s.id)
        .sort(),
      [3, 5],
    );
    assert.throws(
      () => planForget(all, {}),
      (e: unknown) => e instanceof VaultError && e.code === 'INVALID_ARGUMENT',
    );
  });
});

describe('prune', () => {
  it('removes forgotten data, repacks partly used packs, and keeps the rest restorable', async () => {
    await withTempDir('prune', async (dir) => {
      const src = path.join(dir, 'src');
      await fs.mkdir(src);
      const vault = await initVault(new LocalBackend(path.join(dir, 'vault')), 'pw', { scrypt: TEST_SCRYPT, chunker: CHUNKS, packSize: 512 * 1024 });
      const ids: number[] = [];
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 6; i++) await fs.writeFile(path.join(src, `f${i}`), pseudoRandomBytes(150_000, i < 2 ? 100 + i : round * 10 + i));
        ids.push((await vault.backup({ paths: [src] })).snapshotId);
      }
      const result = await vault.prune({ policy: { keepLast: 1 } });
      assert.deepEqual(result.removedSnapshotIds.sort(), ids.slice(0, 2).sort());
      assert.ok(result.bytesAfter < result.bytesBefore, `${result.bytesAfter} < ${result.bytesBefore}`);
      assert.ok(result.packsRemoved > 0);
      assert.ok(result.packsRepacked > 0, 'a pack shared by kept and forgotten data was repacked');
      const check = await vault.check({ readData: true });
      assert.deepEqual(check.errors, []);
      assert.deepEqual(check.warnings, []);
      const stats = await vault.stats();
      assert.equal(stats.snapshots, 1);
      assert.ok(stats.uniqueBytes <= 6 * 150_000 + 100_000, `only the kept data remains (${stats.uniqueBytes})`);
      await vault.restore({ snapshot: ids[2]!, target: path.join(dir, 'out') });
      await assertSameTree(src, path.join(dir, 'out', src), { skipRootTimes: true });
      const again = await vault.prune();
      assert.equal(again.packsRemoved, 0);
      assert.equal(again.bytesAfter, again.bytesBefore);
    });
  });
});

describe('locks', () => {
  it('lets shared locks coexist, refuses an exclusive one beside them, and ignores stale locks', async () => {
    const backend = new MemoryBackend();
    const vault = await initVault(backend, 'pw', { scrypt: TEST_SCRYPT });
    const repo = new Repository(backend, (vault as unknown as { masterKey: Buffer }).masterKey, vault.config);
    const a = await acquireLock(repo, false, 'backup');
    const b = await acquireLock(repo, false, 'backup');
    await assert.rejects(vault.prune(), (e: unknown) => e instanceof VaultError && e.code === 'VAULT_LOCKED');
    await a.release();
    await b.release();
    const ex = await acquireLock(repo, true, 'prune');
    await assert.rejects(vault.backup({ paths: ['/nonexistent'] }), (e: unknown) => e instanceof VaultError && e.code === 'VAULT_LOCKED');
    await ex.release();

    // A lock left by a process that no longer exists on this host is stale.
    await repo.saveJsonFile('locks', { exclusive: true, host: (await import('node:os')).hostname(), pid: 2 ** 22 + 12345, time: new Date().toISOString(), operation: 'prune' });
    // ... and one not refreshed for an hour, from another host.
    await repo.saveJsonFile('locks', { exclusive: true, host: 'elsewhere', pid: 1, time: new Date(Date.now() - 3_600_000).toISOString(), operation: 'prune' });
    const result = await vault.prune();
    assert.equal(result.packsRemoved, 0);
    assert.deepEqual(await backend.list('locks/'), []);
  });
});
