import { openJson, sealJson } from '../crypto/blob-cipher.js';
import { IntegrityError } from '../errors.js';
import type { PackEntry } from './pack-format.js';

/** Plaintext of an `index/<id>` file: which blobs each listed pack holds. */
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
  return sealJson(key, content);
}

export function decodeIndexFile(key: Buffer, sealed: Buffer, name: string): Array<{ id: string; entries: PackEntry[] }> {
  const content = openJson<IndexFileContent>(key, sealed, `index file ${name}`);
  if (content.version !== 1 || !Array.isArray(content.packs)) throw new IntegrityError(`index file ${name} has an unknown format`);
  return content.packs.map((p) => ({
    id: p.id,
    entries: p.blobs.map((b) => ({ id: b.id, type: b.t === 't' ? 'tree' : 'data', offset: b.o, length: b.l, rawLength: b.u, compressed: b.c === 1 })),
  }));
}
