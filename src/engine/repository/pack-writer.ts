import { createHash } from 'node:crypto';
import type { EncodedBlob } from './blob-codec.js';
import { encodePackHeader, type PackEntry } from './pack-format.js';

/** A finished pack: `body[0, used)` then `header` is the pack file; `id` is the SHA-256 of those bytes. */
export interface SealedPack {
  id: string;
  body: Buffer;
  used: number;
  header: Buffer;
  entries: PackEntry[];
}

interface OpenPack {
  buf: Buffer;
  used: number;
  entries: PackEntry[];
}

/**
 * The one pack writer (docs/vault-format.md, "Packs"), used by the repository and by each chunk worker thread:
 * sealed blobs are copied back to back into one buffer of the vault's pack size, and the pack is closed when the
 * next blob would not fit or the buffer is full. Closing appends the sealed header, hashes the pack and hands it
 * to `onPack`; a buffer handed back through `recycle` once its pack is stored is filled again (reusing the same
 * memory avoids heap fragmentation, and lets a worker transfer whole packs to the main thread).
 */
export class PackWriter {
  private open: OpenPack | undefined;
  private spare: Buffer | undefined;

  constructor(
    private readonly key: Buffer,
    private readonly packSize: number,
    private readonly onPack: (pack: SealedPack) => void,
  ) {}

  /** Bytes of blobs waiting in the open pack. */
  get openBytes(): number {
    return this.open?.used ?? 0;
  }

  add(blob: EncodedBlob): void {
    const length = blob.sealed.length;
    if (this.open && this.open.used + length > this.open.buf.length) this.close();
    if (!this.open) {
      let buf = this.spare;
      this.spare = undefined;
      if (!buf || buf.length < length) buf = Buffer.allocUnsafe(Math.max(this.packSize, length));
      this.open = { buf, used: 0, entries: [] };
    }
    const pack = this.open;
    blob.sealed.copy(pack.buf, pack.used);
    pack.entries.push({ id: blob.id, type: blob.type, offset: pack.used, length, rawLength: blob.rawLength, compression: blob.compression });
    pack.used += length;
    if (pack.used >= this.packSize) this.close();
  }

  /** Closes the open pack, if it holds any blob. */
  close(): void {
    const pack = this.open;
    this.open = undefined;
    if (!pack) return;
    if (!pack.entries.length) {
      this.recycle(pack.buf);
      return;
    }
    const header = encodePackHeader(this.key, pack.entries);
    const id = createHash('sha256').update(pack.buf.subarray(0, pack.used)).update(header).digest('hex');
    this.onPack({ id, body: pack.buf, used: pack.used, header, entries: pack.entries });
  }

  /** Takes back the buffer of a stored pack, to fill again. */
  recycle(buf: Buffer): void {
    this.spare ??= buf;
  }
}
