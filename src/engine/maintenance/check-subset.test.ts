import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { LocalBackend } from '../backend/local-backend.js';
import { pseudoRandomBytes } from '../testing/tree-fixture.js';
import { TEST_SCRYPT, withTempDir } from '../testing/temp-dir.js';
import { initVault } from '../vault/vault.js';
import { inSubset } from './check.js';

describe('check --read-data-subset n/t', () => {
  it('puts every pack id in exactly one of t subsets, by its first byte', () => {
    for (const of of [1, 2, 3, 7, 256]) {
      for (let byte = 0; byte < 256; byte++) {
        const id = byte.toString(16).padStart(2, '0') + 'ab'.repeat(31);
        const parts = Array.from({ length: of }, (_, i) => i + 1).filter((part) => inSubset(id, { part, of }));
        assert.deepEqual(parts, [(byte % of) + 1], `${id.slice(0, 2)} of ${of}`);
      }
    }
    assert.equal(inSubset('zz' + '0'.repeat(62), { part: 1, of: 1 }), false, 'not a hex id: in no subset');
  });

  it('reads each pack once over t runs, and finds a damaged pack only in its own subset', async () => {
    await withTempDir('check-subset', async (dir) => {
      const src = path.join(dir, 'src');
      await fs.mkdir(src);
      for (let i = 0; i < 8; i++) await fs.writeFile(path.join(src, `f${i}`), pseudoRandomBytes(200_000, i + 1));
      const vaultDir = path.join(dir, 'vault');
      const vault = await initVault(new LocalBackend(vaultDir), 'pw', { scrypt: TEST_SCRYPT, chunker: { minSize: 16 * 1024, avgSize: 64 * 1024, maxSize: 256 * 1024 }, packSize: 256 * 1024 });
      await vault.backup({ paths: [src] });
      const of = 3;
      const clean = await Promise.all([1, 2, 3].map((part) => vault.check({ readDataSubset: { part, of } })));
      assert.ok(
        clean.every((r) => r.ok),
        JSON.stringify(clean.map((r) => r.errors)),
      );
      assert.equal(
        clean.reduce((sum, r) => sum + r.packsRead, 0),
        clean[0]!.packs,
      );
      assert.ok(clean[0]!.packs >= 4, `${clean[0]!.packs} packs`);

      const packsDir = path.join(vaultDir, 'data');
      const names = (await fs.readdir(packsDir, { recursive: true })).map(String).filter((n) => /^[0-9a-f]{64}$/.test(path.basename(n)));
      const sizes = await Promise.all(names.map(async (n) => (await fs.stat(path.join(packsDir, n))).size));
      const victim = names[sizes.indexOf(Math.max(...sizes))]!;
      const bytes = await fs.readFile(path.join(packsDir, victim));
      bytes[bytes.length >> 1]! ^= 0x80;
      await fs.writeFile(path.join(packsDir, victim), bytes);
      const packId = path.basename(victim);
      const damagedPart = (Number.parseInt(packId.slice(0, 2), 16) % of) + 1;
      for (const part of [1, 2, 3]) {
        const result = await vault.check({ readDataSubset: { part, of } });
        assert.equal(result.ok, part !== damagedPart, `part ${part}: ${result.errors.join('; ')}`);
        if (part === damagedPart) assert.ok(result.errors.some((e) => e.includes(packId)));
      }
    });
  });
});
