import { open, seal } from '../crypto/blob-cipher.js';
import { IntegrityError } from '../errors.js';
import type { BlobType } from './blob-codec.js';
import { isCompression, type Compression } from './compression.js';

/**
 * Pack file layout: sealed blobs back to back from offset 0, then the sealed header, then the header's
 * length as a 4-byte little-endian integer. The header lists, in order, one 42-byte entry per blob:
 * type (1 byte: 0 data, 1 tree), compression (1 byte: 0 none, 1 brotli, 2 zstd), id (32 bytes),
 * sealed length (u32 LE), plaintext length (u32 LE). Offsets follow from the lengths.
 */
export interface PackEntry {
  id: string;
  type: BlobType;
  offset: number;
  length: number;
  rawLength: number;
  compression: Compression;
}

const ENTRY_BYTES = 42;
export const TRAILER_BYTES = 4;

export function encodePackHeader(key: Buffer, entries: PackEntry[]): Buffer {
  const plain = Buffer.alloc(entries.length * ENTRY_BYTES);
  entries.forEach((e, i) => {
    const at = i * ENTRY_BYTES;
    plain[at] = e.type === 'tree' ? 1 : 0;
    plain[at + 1] = e.compression;
    Buffer.from(e.id, 'hex').copy(plain, at + 2);
    plain.writeUInt32LE(e.length, at + 34);
    plain.writeUInt32LE(e.rawLength, at + 38);
  });
  const sealedHeader = seal(key, plain);
  const trailer = Buffer.alloc(TRAILER_BYTES);
  trailer.writeUInt32LE(sealedHeader.length);
  return Buffer.concat([sealedHeader, trailer]);
}

/** Decodes a header given the last `tail.length` bytes of a pack of `packSize` bytes. */
export function decodePackHeader(key: Buffer, tail: Buffer, packSize: number, packName: string): PackEntry[] | { needBytes: number } {
  if (tail.length < TRAILER_BYTES) throw new IntegrityError(`pack ${packName} is too short`);
  const headerLength = tail.readUInt32LE(tail.length - TRAILER_BYTES);
  if (headerLength + TRAILER_BYTES > packSize) throw new IntegrityError(`pack ${packName} has an impossible header length`);
  if (headerLength + TRAILER_BYTES > tail.length) return { needBytes: headerLength + TRAILER_BYTES };
  const sealedHeader = tail.subarray(tail.length - TRAILER_BYTES - headerLength, tail.length - TRAILER_BYTES);
  const plain = open(key, sealedHeader, `header of pack ${packName}`);
  if (plain.length % ENTRY_BYTES !== 0) throw new IntegrityError(`header of pack ${packName} has a bad size`);
  const entries: PackEntry[] = [];
  let offset = 0;
  for (let at = 0; at < plain.length; at += ENTRY_BYTES) {
    const length = plain.readUInt32LE(at + 34);
    entries.push({
      type: plain[at] === 1 ? 'tree' : 'data',
      compression: compressionOf(plain[at + 1], packName),
      id: plain.subarray(at + 2, at + 34).toString('hex'),
      offset,
      length,
      rawLength: plain.readUInt32LE(at + 38),
    });
    offset += length;
  }
  if (offset + headerLength + TRAILER_BYTES !== packSize) throw new IntegrityError(`pack ${packName}: header does not match the pack size`);
  return entries;
}

function compressionOf(byte: number | undefined, packName: string): Compression {
  if (!isCompression(byte)) throw new IntegrityError(`header of pack ${packName} names an unknown compression (${byte})`);
  return byte;
}
