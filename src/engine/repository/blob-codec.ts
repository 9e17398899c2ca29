import { createHash } from 'node:crypto';
import { open, seal } from '../crypto/blob-cipher.js';
import { IntegrityError } from '../errors.js';
import { compressIfWorthIt, decompress, decompressSync, type Compression } from './compression.js';

export type BlobType = 'data' | 'tree';

/** A blob ready for a pack: compressed when worth it, then sealed. */
export interface EncodedBlob {
  id: string;
  type: BlobType;
  sealed: Buffer;
  rawLength: number;
  compression: Compression;
}

export function blobId(raw: Buffer): string {
  return createHash('sha256').update(raw).digest('hex');
}

export function encodeBlob(key: Buffer, type: BlobType, raw: Buffer, id = blobId(raw), level?: number): EncodedBlob {
  const { data, compression } = compressIfWorthIt(raw, level);
  return { id, type, sealed: seal(key, data), rawLength: raw.length, compression };
}

interface ExpectedBlob {
  id: string;
  rawLength: number;
  compression: Compression;
}

/** Opens, decompresses and checks the plaintext hash: a blob either comes back exact or this throws. */
export async function decodeBlob(key: Buffer, sealed: Buffer, expect: ExpectedBlob): Promise<Buffer> {
  const plain = open(key, sealed, `blob ${expect.id.slice(0, 12)}`);
  return verifyRaw(await decompress(plain, expect.rawLength, expect.compression).catch(() => notDecompressing(expect)), expect);
}

/** decodeBlob on the calling thread, for worker threads that do nothing else. */
export function decodeBlobSync(key: Buffer, sealed: Buffer, expect: ExpectedBlob): Buffer {
  const plain = open(key, sealed, `blob ${expect.id.slice(0, 12)}`);
  let raw: Buffer;
  try {
    raw = decompressSync(plain, expect.rawLength, expect.compression);
  } catch {
    notDecompressing(expect);
  }
  return verifyRaw(raw, expect);
}

function notDecompressing(expect: ExpectedBlob): never {
  throw new IntegrityError(`blob ${expect.id.slice(0, 12)} does not decompress`);
}

function verifyRaw(raw: Buffer, expect: ExpectedBlob): Buffer {
  if (raw.length !== expect.rawLength || blobId(raw) !== expect.id) {
    throw new IntegrityError(`blob ${expect.id.slice(0, 12)} does not match its hash`);
  }
  return raw;
}
