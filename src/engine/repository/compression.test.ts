import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import zlib from 'node:zlib';
import { seal } from '../crypto/blob-cipher.js';
import { IntegrityError } from '../errors.js';
import { pseudoRandomBytes } from '../testing/tree-fixture.js';
import { blobId, decodeBlob, encodeBlob } from './blob-codec.js';
import { Compression } from './compression.js';
import { decodeIndexFile, encodeIndexFile } from './index-file.js';
import { decodePackHeader, encodePackHeader, type PackEntry } from './pack-format.js';

const key = randomBytes(32);
const text = Buffer.from('2026-12-03T10:00:00Z backup of /srv finished, 1234 files\n'.repeat(2000));

describe('vault compression: zstd written, brotli still read', { timeout: 30_000 }, () => {
  it('stores compressible blobs as zstd and incompressible ones raw, and reads both back exactly', async () => {
    const zstd = encodeBlob(key, 'data', text);
    assert.equal(zstd.compression, Compression.zstd);
    assert.ok(zstd.sealed.length < text.length / 10, `sealed ${zstd.sealed.length} bytes`);
    assert.ok((await decodeBlob(key, zstd.sealed, { id: zstd.id, rawLength: text.length, compression: zstd.compression })).equals(text));

    const noise = pseudoRandomBytes(100_000, 7);
    const raw = encodeBlob(key, 'data', noise);
    assert.equal(raw.compression, Compression.none);
    assert.ok((await decodeBlob(key, raw.sealed, { id: raw.id, rawLength: noise.length, compression: raw.compression })).equals(noise));
  });

  it('reads a brotli blob, and refuses a blob whose recorded compression does not match its bytes', async () => {
    const sealed = seal(key, zlib.brotliCompressSync(text));
    const expect = { id: blobId(text), rawLength: text.length };
    assert.ok((await decodeBlob(key, sealed, { ...expect, compression: Compression.brotli })).equals(text));
    await assert.rejects(decodeBlob(key, sealed, { ...expect, compression: Compression.zstd }), IntegrityError);
  });

  const entries: PackEntry[] = [
    { id: 'a'.repeat(64), type: 'data', offset: 0, length: 100, rawLength: 400, compression: Compression.zstd },
    { id: 'b'.repeat(64), type: 'tree', offset: 100, length: 50, rawLength: 50, compression: Compression.none },
    { id: 'c'.repeat(64), type: 'data', offset: 150, length: 60, rawLength: 300, compression: Compression.brotli },
  ];

  it('writes version 2 index files (zstd) and still reads version 1 ones (brotli)', () => {
    const v2 = decodeIndexFile(key, encodeIndexFile(key, [{ id: 'p'.repeat(64), entries }]), 'v2');
    assert.deepEqual(v2, [{ id: 'p'.repeat(64), entries }]);

    const v1Json = { version: 1, packs: [{ id: 'q'.repeat(64), blobs: [{ id: 'c'.repeat(64), t: 'd', o: 0, l: 60, u: 300, c: 1 }] }] };
    const v1 = decodeIndexFile(key, seal(key, zlib.brotliCompressSync(JSON.stringify(v1Json))), 'v1');
    assert.deepEqual(v1[0]!.entries[0], { id: 'c'.repeat(64), type: 'data', offset: 0, length: 60, rawLength: 300, compression: Compression.brotli });
  });

  it('refuses index files that name a compression their version does not have', () => {
    const v1WithZstd = { version: 1, packs: [{ id: 'q'.repeat(64), blobs: [{ id: 'c'.repeat(64), t: 'd', o: 0, l: 60, u: 300, c: 2 }] }] };
    assert.throws(() => decodeIndexFile(key, seal(key, zlib.brotliCompressSync(JSON.stringify(v1WithZstd))), 'bad'), IntegrityError);
    const v2Unknown = { version: 2, packs: [{ id: 'q'.repeat(64), blobs: [{ id: 'c'.repeat(64), t: 'd', o: 0, l: 60, u: 300, c: 7 }] }] };
    assert.throws(() => decodeIndexFile(key, seal(key, zlib.zstdCompressSync(JSON.stringify(v2Unknown))), 'bad'), IntegrityError);
    // A version 2 document inside brotli (or the reverse) is not a valid index file either.
    const v2InBrotli = { version: 2, packs: [] };
    assert.throws(() => decodeIndexFile(key, seal(key, zlib.brotliCompressSync(JSON.stringify(v2InBrotli))), 'bad'), IntegrityError);
  });

  it('round-trips the compression code in pack headers and refuses an unknown one', () => {
    const header = encodePackHeader(key, entries);
    assert.deepEqual(decodePackHeader(key, header, 210 + header.length, 'p'), entries);
    const bad = encodePackHeader(key, [{ ...entries[0]!, compression: 3 as Compression }]);
    assert.throws(() => decodePackHeader(key, bad, 100 + bad.length, 'p'), /unknown compression/);
  });
});
