import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { chunkBuffer, readChunks } from './chunk-reader.js';
import { DEFAULT_CHUNK_SIZES, FastCdc } from './fastcdc.js';

const SEED = 'aa'.repeat(32);
const small = { minSize: 2048, avgSize: 8192, maxSize: 65536, seed: SEED };

/** Deterministic pseudo-random bytes (xorshift), so failures reproduce. */
function pseudoRandom(length: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

const sizesOf = (data: Buffer, chunker: FastCdc) => [...chunkBuffer(data, chunker)].map((c) => c.length);

describe('FastCDC chunker', () => {
  it('is deterministic and covers the input exactly', () => {
    const data = pseudoRandom(3 * 1024 * 1024, 7);
    const a = sizesOf(data, new FastCdc(small));
    const b = sizesOf(data, new FastCdc(small));
    assert.deepEqual(a, b);
    assert.equal(
      a.reduce((s, n) => s + n, 0),
      data.length,
    );
  });

  it('keeps every chunk within bounds on random data, with an average near the target', () => {
    const chunker = new FastCdc(small);
    const sizes = sizesOf(pseudoRandom(8 * 1024 * 1024, 3), chunker);
    for (const s of sizes.slice(0, -1)) assert.ok(s >= small.minSize && s <= small.maxSize, `chunk size ${s}`);
    const avg = sizes.reduce((s, n) => s + n, 0) / sizes.length;
    assert.ok(avg > small.avgSize * 0.6 && avg < small.avgSize * 1.6, `average ${avg}`);
  });

  it('cuts repetitive data at the maximum size', () => {
    const chunker = new FastCdc(small);
    const zeros = sizesOf(Buffer.alloc(1_000_000), chunker);
    for (const s of zeros.slice(0, -1)) assert.equal(s, small.maxSize);
    const pattern = Buffer.alloc(1_000_000);
    for (let i = 0; i < pattern.length; i++) pattern[i] = i % 7;
    for (const s of sizesOf(pattern, chunker).slice(0, -1)) assert.ok(s >= small.minSize && s <= small.maxSize);
  });

  it('produces one chunk for input at or below the minimum', () => {
    const chunker = new FastCdc(small);
    assert.deepEqual(sizesOf(pseudoRandom(small.minSize), chunker), [small.minSize]);
    assert.deepEqual(sizesOf(pseudoRandom(10), chunker), [10]);
    assert.deepEqual(sizesOf(Buffer.alloc(0), chunker), []);
  });

  it('resynchronises after an insertion: most chunks survive an edit', () => {
    const chunker = new FastCdc(small);
    const data = pseudoRandom(4 * 1024 * 1024, 11);
    const edited = Buffer.concat([data.subarray(0, 1_000_000), Buffer.from('inserted bytes'), data.subarray(1_000_000)]);
    const ids = (buf: Buffer) => new Set([...chunkBuffer(buf, chunker)].map((c) => createHash('sha256').update(c).digest('hex')));
    const before = ids(data);
    const after = ids(edited);
    const shared = [...after].filter((id) => before.has(id)).length;
    assert.ok(shared >= before.size - 3, `only ${shared} of ${before.size} chunks shared`);
  });

  it('depends on the seed', () => {
    const data = pseudoRandom(2 * 1024 * 1024, 5);
    const other = sizesOf(data, new FastCdc({ ...small, seed: 'bb'.repeat(32) }));
    assert.notDeepEqual(sizesOf(data, new FastCdc(small)), other);
  });

  it('gives the same chunks when streaming a file as over the whole buffer, with the default sizes', async () => {
    const chunker = new FastCdc({ ...DEFAULT_CHUNK_SIZES, seed: SEED });
    const data = Buffer.concat([randomBytes(5 * 1024 * 1024), Buffer.alloc(20 * 1024 * 1024), randomBytes(3 * 1024 * 1024 + 5)]);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'coffer-chunk-'));
    try {
      const file = path.join(dir, 'f');
      await fs.writeFile(file, data);
      const handle = await fs.open(file, 'r');
      const streamed: number[] = [];
      try {
        for await (const c of readChunks(handle, chunker, 300_000)) streamed.push(c.length);
      } finally {
        await handle.close();
      }
      const sizes = sizesOf(data, chunker);
      assert.deepEqual(streamed, sizes);
      for (const s of sizes.slice(0, -1)) assert.ok(s >= DEFAULT_CHUNK_SIZES.minSize && s <= DEFAULT_CHUNK_SIZES.maxSize);
      assert.ok(sizes.includes(DEFAULT_CHUNK_SIZES.maxSize), 'the zero run is cut at the maximum');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
