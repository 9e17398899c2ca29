import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { MemoryBackend } from '../backend/memory-backend.js';
import { VaultError } from '../errors.js';
import { pseudoRandomBytes } from '../testing/tree-fixture.js';
import { TEST_SCRYPT, withTempDir } from '../testing/temp-dir.js';
import { initVault, openVault } from './vault.js';
import { flipByte } from '../../../test/helpers/indexing.js';

const CHUNKS = { minSize: 16 * 1024, avgSize: 64 * 1024, maxSize: 256 * 1024 };
const isCode = (code: string) => (err: unknown) => err instanceof VaultError && err.code === code;

describe('vault integrity', () => {
  it('detects a flipped byte with check --read-data and in restore, naming the file and writing nothing wrong', async () => {
    await withTempDir('flip', async (dir) => {
      const src = path.join(dir, 'src');
      await fs.mkdir(src);
      await fs.writeFile(path.join(src, 'victim.bin'), pseudoRandomBytes(100_000, 1));
      const backend = new MemoryBackend();
      const vault = await initVault(backend, 'pw', { scrypt: TEST_SCRYPT, chunker: CHUNKS });
      await vault.backup({ paths: [src] });
      // A second file in its own pack, which must still restore.
      await fs.writeFile(path.join(src, 'healthy.txt'), 'fine');
      await vault.backup({ paths: [src] });
      assert.deepEqual((await vault.check({ readData: true })).errors, []);

      // The victim's data is the first blob of the first pack; flip a byte inside it.
      const packs = await backend.list('data/');
      const victimPack = await Promise.all(packs.map(async (p) => ({ p, size: p.size }))).then((all) => all.sort((a, b) => b.size - a.size)[0]!.p);
      flipByte(backend.raw(victimPack.name)!, 1000, 0x01);

      const structural = await vault.check();
      assert.deepEqual(structural.errors, [], 'headers are intact, so the structural check passes');
      const full = await vault.check({ readData: true });
      assert.equal(full.ok, false);
      assert.ok(
        full.errors.some((e) => e.includes(victimPack.name.slice(5)) && /authentication|damaged/.test(e)),
        full.errors.join('\n'),
      );

      const out = path.join(dir, 'out');
      const restored = await vault.restore({ snapshot: 'latest', target: out });
      assert.equal(restored.errors.length, 1);
      assert.equal(restored.errors[0]!.path, path.join(src, 'victim.bin'));
      assert.match(restored.errors[0]!.reason, /authentication|damaged/);
      assert.equal(restored.filesRestored, 1);
      const left = await fs.readdir(path.join(out, src));
      assert.deepEqual(left, ['healthy.txt'], 'no partial or temporary file is left for the damaged one');
    });
  });

  it('refuses a wrong password and accepts every added key', async () => {
    const backend = new MemoryBackend();
    const vault = await initVault(backend, 'first password', { scrypt: TEST_SCRYPT });
    await assert.rejects(openVault(backend, 'wrong'), isCode('WRONG_PASSWORD'));
    const second = await vault.addKey('second password', TEST_SCRYPT);
    const reopened = await openVault(backend, 'second password');
    assert.equal(reopened.id, vault.id);
    assert.equal(reopened.keyId, second);
    assert.equal((await vault.listKeys()).length, 2);
    await assert.rejects(reopened.removeKey(second), isCode('INVALID_ARGUMENT'));
    await reopened.removeKey(vault.keyId);
    await assert.rejects(openVault(backend, 'first password'), isCode('WRONG_PASSWORD'));
  });

  it('reports a missing vault and refuses to initialise twice', async () => {
    const backend = new MemoryBackend();
    await assert.rejects(openVault(backend, 'pw'), isCode('VAULT_NOT_FOUND'));
    await initVault(backend, 'pw', { scrypt: TEST_SCRYPT });
    await assert.rejects(initVault(backend, 'pw', { scrypt: TEST_SCRYPT }), isCode('VAULT_EXISTS'));
  });

  it('detects a damaged snapshot file and index file', async () => {
    await withTempDir('damage', async (dir) => {
      await fs.writeFile(path.join(dir, 'f'), 'x');
      const backend = new MemoryBackend();
      const vault = await initVault(backend, 'pw', { scrypt: TEST_SCRYPT });
      await vault.backup({ paths: [dir] });
      const [snap] = await backend.list('snapshots/');
      const [index] = await backend.list('index/');
      flipByte(backend.raw(snap!.name)!, 20, 0x80);
      flipByte(backend.raw(index!.name)!, 20, 0x80);
      // The damaged snapshot is left out of listings instead of breaking them, but prune refuses to run.
      assert.deepEqual(await vault.listSnapshots(), []);
      await assert.rejects(vault.prune(), (err: unknown) => err instanceof VaultError && err.code === 'CORRUPT');
      const result = await vault.check();
      assert.ok(
        result.errors.some((e) => e.startsWith(snap!.name)),
        result.errors.join('\n'),
      );
      assert.ok(
        result.errors.some((e) => e.startsWith(index!.name)),
        result.errors.join('\n'),
      );
    });
  });
});
