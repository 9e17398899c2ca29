import type { BlobType } from './blob-codec.js';
import type { PackEntry } from './pack-format.js';

export interface BlobLocation extends PackEntry {
  pack: string;
}

/** In-memory map from blob id to where it is stored. A blob may be in several packs; the first one wins. */
export class BlobIndex {
  private readonly blobs = new Map<string, BlobLocation>();
  private readonly packs = new Map<string, PackEntry[]>();

  addPack(pack: string, entries: PackEntry[]): void {
    if (this.packs.has(pack)) return;
    this.packs.set(pack, entries);
    for (const e of entries) if (!this.blobs.has(e.id)) this.blobs.set(e.id, { ...e, pack });
  }

  has(id: string): boolean {
    return this.blobs.has(id);
  }

  get(id: string): BlobLocation | undefined {
    return this.blobs.get(id);
  }

  hasPack(pack: string): boolean {
    return this.packs.has(pack);
  }

  packEntries(pack: string): PackEntry[] | undefined {
    return this.packs.get(pack);
  }

  packIds(): string[] {
    return [...this.packs.keys()];
  }

  blobCount(type?: BlobType): number {
    if (!type) return this.blobs.size;
    let n = 0;
    for (const b of this.blobs.values()) if (b.type === type) n++;
    return n;
  }

  allBlobs(): IterableIterator<BlobLocation> {
    return this.blobs.values();
  }
}
