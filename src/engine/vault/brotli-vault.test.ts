import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LocalBackend } from '../backend/local-backend.js';
import { withTempDir } from '../testing/temp-dir.js';
import { openVault } from './vault.js';

/** A vault written by the brotli-only code (see test/fixtures/brotli-vault/README.md), with the tree it holds. */
const fixture = fileURLToPath(new URL('../../../test/fixtures/brotli-vault/', import.meta.url));

async function filesUnder(root: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await fs.readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files.set(path.relative(root, full), await fs.readFile(full));
  }
  return files;
}

describe('vaults written before zstd', { timeout: 60_000 }, () => {
  it('restores the brotli-written fixture vault byte for byte and checks clean', async () => {
    await withTempDir('brotli-vault', async (dir) => {
      // A copy: opening a vault takes a lock, which must not land in the repository.
      const vaultDir = path.join(dir, 'vault');
      await fs.cp(path.join(fixture, 'vault'), vaultDir, { recursive: true });
      const vault = await openVault(new LocalBackend(vaultDir), 'brotli-fixture');
      try {
        const [snapshot, ...others] = await vault.listSnapshots();
        assert.ok(snapshot, 'the fixture holds a snapshot');
        assert.equal(others.length, 0);
        const check = await vault.check({ readData: true });
        assert.deepEqual(check.errors, []);

        const out = path.join(dir, 'out');
        const restored = await vault.restore({ snapshot: snapshot.id, target: out });
        assert.deepEqual(restored.errors, []);
        const expected = await filesUnder(path.join(fixture, 'source'));
        const actual = await filesUnder(path.join(out, snapshot.paths[0]!));
        assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort());
        for (const [name, bytes] of expected) assert.ok(actual.get(name)!.equals(bytes), `${name} restored byte for byte`);

        // The same vault takes new (zstd) backups beside the old blobs, and both kinds restore.
        const changed = path.join(dir, 'changed');
        await fs.cp(path.join(fixture, 'source'), changed, { recursive: true });
        await fs.writeFile(path.join(changed, 'new.txt'), 'written after zstd\n'.repeat(500));
        const second = await vault.backup({ paths: [changed] });
        assert.deepEqual(second.errors, []);
        assert.ok(second.dataAdded < 100_000, 'unchanged files reuse the brotli blobs');
        assert.deepEqual((await vault.check({ readData: true })).errors, []);
        const out2 = path.join(dir, 'out2');
        assert.deepEqual((await vault.restore({ snapshot: second.snapshotId, target: out2 })).errors, []);
        const again = await filesUnder(path.join(out2, changed));
        assert.equal(again.size, expected.size + 1);
        for (const [name, bytes] of await filesUnder(changed)) assert.ok(again.get(name)!.equals(bytes), `${name} restored from the mixed vault`);
      } finally {
        await vault.close();
      }
    });
  });
});
