import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { decodeBlob, encodeBlob } from './blob-codec.js';
import { decodePackHeader } from './pack-format.js';
import { PackWriter, type SealedPack } from './pack-writer.js';

const key = randomBytes(32);
/** Random bytes do not compress: each sealed blob is its plaintext plus the cipher's overhead. */
const blob = (size: number, type: 'data' | 'tree' = 'data') => encodeBlob(key, type, randomBytes(size));
const fileOf = (pack: SealedPack) => Buffer.concat([pack.body.subarray(0, pack.used), pack.header]);

describe('PackWriter', { timeout: 30_000 }, () => {
  it('writes pack files a reader decodes: header entries, offsets, id = SHA-256 of the file, every blob intact', async () => {
    const packs: SealedPack[] = [];
    const writer = new PackWriter(key, 1 << 20, (pack) => packs.push(pack));
    const blobs = [blob(1000), blob(5000, 'tree'), blob(300)];
    for (const b of blobs) writer.add(b);
    assert.equal(packs.length, 0, 'nothing is closed before the pack is full');
    assert.equal(
      writer.openBytes,
      blobs.reduce((n, b) => n + b.sealed.length, 0),
    );
    writer.close();
    assert.equal(packs.length, 1);
    const file = fileOf(packs[0]!);
    assert.equal(packs[0]!.id, createHash('sha256').update(file).digest('hex'));
    const entries = decodePackHeader(key, file, file.length, 'test');
    assert.ok(Array.isArray(entries));
    assert.deepEqual(entries, packs[0]!.entries);
    assert.deepEqual(
      entries.map((e) => [e.id, e.type]),
      blobs.map((b) => [b.id, b.type]),
    );
    for (const [i, e] of entries.entries()) {
      assert.deepEqual(file.subarray(e.offset, e.offset + e.length), blobs[i]!.sealed);
      assert.equal((await decodeBlob(key, file.subarray(e.offset, e.offset + e.length), e)).length, blobs[i]!.rawLength);
    }
  });

  it('closes before a blob that would not fit, and once the pack size is reached; a larger blob gets its own pack', () => {
    const packs: SealedPack[] = [];
    const packSize = 10_000;
    const writer = new PackWriter(key, packSize, (pack) => packs.push(pack));
    writer.add(blob(6000));
    writer.add(blob(6000));
    assert.equal(packs.length, 1, 'the second blob did not fit beside the first');
    assert.equal(packs[0]!.entries.length, 1);
    const overhead = blob(100).sealed.length - 100;
    writer.add(blob(packSize - 6000 - 2 * overhead));
    assert.equal(packs.length, 2, 'a pack filled to the pack size is closed at once');
    assert.equal(packs[1]!.used, packSize);
    writer.add(blob(25_000));
    assert.equal(packs.length, 3);
    assert.equal(packs[2]!.entries.length, 1);
    for (const pack of packs) assert.ok(pack.used <= Math.max(packSize, pack.entries[0]!.length));
    writer.close();
    assert.equal(packs.length, 3, 'closing an empty writer makes no pack');
  });

  it('fills a recycled buffer again instead of allocating', () => {
    const packs: SealedPack[] = [];
    const writer = new PackWriter(key, 4096, (pack) => packs.push(pack));
    writer.add(blob(5000));
    const first = packs[0]!.body;
    writer.recycle(first);
    writer.add(blob(100));
    writer.close();
    assert.equal(packs[1]!.body, first);
  });
});
