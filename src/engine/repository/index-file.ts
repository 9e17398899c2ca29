import zlib from 'node:zlib';
import { open, seal } from '../crypto/blob-cipher.js';
import { IntegrityError } from '../errors.js';
import type { PackEntry } from './pack-format.js';

/** Plaintext of an `index/<id>` file (brotli-compressed JSON): which blobs each listed pack holds. */
export interface IndexFileContent {
  version: 1;
  packs: Array<{ id: string; blobs: Array<{ id: string; t: 'd' | 't'; o: number; l: number; u: number; c: 0 | 1 }> }>;
}

export function encodeIndexFile(key: Buffer, packs: Array<{ id: string; entries: PackEntry[] }>): Buffer {
  const content: IndexFileContent = {
    version: 1,
    packs: packs.map((p) => ({
      id: p.id,
      blobs: p.entries.map((e) => ({ id: e.id, t: e.type === 'tree' ? 't' : 'd', o: e.offset, l: e.length, u: e.rawLength, c: e.compressed ? 1 : 0 })),
    })),
  };
  // Index files are mostly hex ids and numbers: brotli halves them.
  const packed = zlib.brotliCompressSync(Buffer.from(JSON.stringify(content)), { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } });
  return seal(key, packed);
}

export function decodeIndexFile(key: Buffer, sealed: Buffer, name: string): Array<{ id: string; entries: PackEntry[] }> {
  let content: IndexFileContent;
  const packed = open(key, sealed, `index file ${name}`);
  try {
    content = JSON.parse(zlib.brotliDecompressSync(packed).toString('utf8')) as IndexFileContent;
  } catch {
    throw new IntegrityError(`index file ${name} does not decode`);
  }
  if (content.version !== 1 || !Array.isArray(content.packs)) throw new IntegrityError(`index file ${name} has an unknown format`);
  return content.packs.map((p) => ({
    id: p.id,
    entries: p.blobs.map((b) => ({ id: b.id, type: b.t === 't' ? 'tree' : 'data', offset: b.o, length: b.l, rawLength: b.u, compressed: b.c === 1 })),
  }));
}
