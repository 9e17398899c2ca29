import { promisify } from 'node:util';
import zlib from 'node:zlib';

/**
 * How a blob's bytes are stored, as recorded per blob in pack headers and index files. New blobs are written
 * with zstd; brotli blobs of vaults written before zstd stay readable.
 */
export const Compression = { none: 0, brotli: 1, zstd: 2 } as const;
export type Compression = (typeof Compression)[keyof typeof Compression];

export function isCompression(value: unknown): value is Compression {
  return value === Compression.none || value === Compression.brotli || value === Compression.zstd;
}

/**
 * zstd level per vault compression setting: `fast` is the default, `small` trades CPU for size. Measured on the
 * engine benchmark's tree (bench/engine/compression-levels.ts, 343 MiB in 1 MiB pieces): zstd 3 stores 62.7 % at
 * 289 MiB/s, where brotli quality 1 (the earlier default) stored 64.3 % at 229 MiB/s; zstd 1 is faster (356 MiB/s)
 * but stores 63.3 %, more than restic's default (zstd level 3) would; zstd 9 stores 61.8 % at 57 MiB/s.
 * zstd also decodes about 1.7 times as fast as brotli.
 */
export const COMPRESSION_LEVEL = { fast: 3, small: 9 } as const;
export type CompressionSetting = keyof typeof COMPRESSION_LEVEL;

export function compressIfWorthIt(raw: Buffer, level: number = COMPRESSION_LEVEL.fast): { data: Buffer; compression: Compression } {
  if (raw.length < 64 || looksIncompressible(raw)) return { data: raw, compression: Compression.none };
  const packed = zlib.zstdCompressSync(raw, {
    // Fewer JS round trips than the default 16 KiB, without a chunk-sized output buffer per call (garbage that
    // the GC only finds late, which shows as resident memory).
    chunkSize: 64 * 1024,
    // Tells zstd the input size, so it picks tables (and a window) no larger than the chunk.
    pledgedSrcSize: raw.length,
    params: { [zlib.constants.ZSTD_c_compressionLevel]: level },
  } as zlib.ZstdOptions);
  // A chunk is kept compressed only when that saves at least 1/32 of its size.
  if (packed.length <= raw.length - (raw.length >>> 5)) return { data: packed, compression: Compression.zstd };
  return { data: raw, compression: Compression.none };
}

const brotliDecompress = promisify(zlib.brotliDecompress);
const zstdDecompress = promisify(zlib.zstdDecompress);

/** Decompresses a stored blob of known size (`none` returns it as it is). */
export async function decompress(data: Buffer, rawLength: number, compression: Compression): Promise<Buffer> {
  if (compression === Compression.none) return data;
  // The async forms run in libuv's thread pool, so restores use every core; one output chunk of the known
  // size avoids a callback per 16 KiB.
  const size = Math.max(rawLength, 64);
  const options = { maxOutputLength: size, chunkSize: size };
  return compression === Compression.zstd ? zstdDecompress(data, options) : brotliDecompress(data, options);
}

export function decompressSync(data: Buffer, rawLength: number, compression: Compression): Buffer {
  if (compression === Compression.none) return data;
  const size = Math.max(rawLength, 64);
  const options = { maxOutputLength: size, chunkSize: size };
  return compression === Compression.zstd ? zlib.zstdDecompressSync(data, options) : zlib.brotliDecompressSync(data, options);
}

const SAMPLE_PIECES = 4;
const SAMPLE_PIECE = 2048;
/** log2 estimate of an 8 KiB sample of uniform random bytes is ~7.98; compressible data rarely tops 7.5. */
const ENTROPY_LIMIT = 7.9;
const log2Table = new Float64Array(SAMPLE_PIECES * SAMPLE_PIECE + 1).map((_, i) => (i ? Math.log2(i) : 0));

/**
 * Byte entropy of a few samples spread over the chunk: already-compressed or encrypted data (near 8 bits per
 * byte) is stored raw without spending a compression pass on it. Costs a few microseconds per chunk.
 */
export function looksIncompressible(raw: Buffer): boolean {
  if (raw.length < SAMPLE_PIECES * SAMPLE_PIECE * 2) return false;
  const counts = new Uint32Array(256);
  const stride = Math.floor((raw.length - SAMPLE_PIECE) / (SAMPLE_PIECES - 1));
  for (let p = 0; p < SAMPLE_PIECES; p++) {
    const start = p * stride;
    for (let i = start; i < start + SAMPLE_PIECE; i++) counts[raw[i]!]!++;
  }
  const n = SAMPLE_PIECES * SAMPLE_PIECE;
  let sum = 0;
  for (let b = 0; b < 256; b++) {
    const c = counts[b]!;
    if (c) sum += c * log2Table[c]!;
  }
  const entropy = Math.log2(n) - sum / n;
  return entropy > ENTROPY_LIMIT;
}
