import zlib from 'node:zlib';
import { open, seal } from '../crypto/blob-cipher.js';
import { IntegrityError } from '../errors.js';
import { Compression, isCompression } from './compression.js';
import type { PackEntry } from './pack-format.js';

/**
 * Plaintext of an `index/<id>` file: which blobs each listed pack holds. Version 2 is zstd-compressed JSON and `c`
 * is the blob's compression code (0 none, 1 brotli, 2 zstd); version 1, written before zstd, is brotli-compressed
 * JSON with `c` 0 or 1 (1 = brotli).
 */
export interface IndexFileContent {
  version: 1 | 2;
  packs: Array<{ id: string; blobs: Array<{ id: string; t: 'd' | 't'; o: number; l: number; u: number; c: number }> }>;
}

/** The first bytes of every zstd frame (RFC 8878 §3.1.1). */
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);

export function encodeIndexFile(key: Buffer, packs: Array<{ id: string; entries: PackEntry[] }>): Buffer {
  const content: IndexFileContent = {
    version: 2,
    packs: packs.map((p) => ({
      id: p.id,
      blobs: p.entries.map((e) => ({ id: e.id, t: e.type === 'tree' ? 't' : 'd', o: e.offset, l: e.length, u: e.rawLength, c: e.compression })),
    })),
  };
  // Index files are mostly hex ids and numbers: compression halves them.
  const json = Buffer.from(JSON.stringify(content));
  const packed = zlib.zstdCompressSync(json, { params: { [zlib.constants.ZSTD_c_compressionLevel]: 6 } });
  return seal(key, packed);
}

/** Index files of both versions: a zstd frame holds version 2, anything else is tried as version 1 (brotli). */
function unpack(packed: Buffer): IndexFileContent {
  if (packed.subarray(0, 4).equals(ZSTD_MAGIC)) {
    try {
      const content = JSON.parse(zlib.zstdDecompressSync(packed).toString('utf8')) as IndexFileContent;
      if (content?.version === 2) return content;
    } catch {
      // A brotli stream may begin with these bytes too: fall through.
    }
  }
  const content = JSON.parse(zlib.brotliDecompressSync(packed).toString('utf8')) as IndexFileContent;
  if (content?.version !== 1) throw new Error('not a version 1 index');
  return content;
}

export function decodeIndexFile(key: Buffer, sealed: Buffer, name: string): Array<{ id: string; entries: PackEntry[] }> {
  let content: IndexFileContent;
  const packed = open(key, sealed, `index file ${name}`);
  try {
    content = unpack(packed);
  } catch {
    throw new IntegrityError(`index file ${name} does not decode`);
  }
  if (!Array.isArray(content.packs)) throw new IntegrityError(`index file ${name} has an unknown format`);
  return content.packs.map((p) => ({
    id: p.id,
    entries: p.blobs.map((b) => {
      if (!isCompression(b.c) || (content.version === 1 && b.c === Compression.zstd)) {
        throw new IntegrityError(`index file ${name} names an unknown compression (${b.c})`);
      }
      return { id: b.id, type: b.t === 't' ? 'tree' : 'data', offset: b.o, length: b.l, rawLength: b.u, compression: b.c };
    }),
  }));
}
