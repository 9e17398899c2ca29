import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { VaultBackend } from '../backend/backend.js';
import { isNotFoundError } from '../backend/errors.js';
import { openJson, sealJson } from '../crypto/blob-cipher.js';
import { describeIoError, IntegrityError, throwIfAborted } from '../errors.js';
import { blobId, decodeBlob, encodeBlob, type EncodedBlob } from './blob-codec.js';
import { BlobIndex, type BlobLocation } from './blob-index.js';
import { decodeIndexFile, encodeIndexFile } from './index-file.js';
import { decodePackHeader, type PackEntry } from './pack-format.js';
import { PackWriter, type SealedPack } from './pack-writer.js';
import { compressionLevel, type VaultConfig } from './vault-config.js';

/** Packs saved but not yet listed in an index file are written out in batches of this many. */
const PACKS_PER_INDEX_FILE = 16;
/** The tree blobs of one pack are fetched in one read when they lie within this many bytes. */
const TREE_SPAN_MAX_BYTES = 16 * 2 ** 20;
/** Tree spans kept in memory, in bytes (least recently used dropped first). */
const TREE_SPAN_CACHE_BYTES = 64 * 2 ** 20;

interface TreeSpan {
  offset: number;
  length: number;
  bytes: Promise<Buffer>;
}

/**
 * Content-addressed blob storage over a backend: dedup by plaintext hash, packing, index files, and sealed
 * JSON files (snapshots, locks). A blob is written to a pack first, the pack saved, and only then listed in
 * an index file, so an index never points at a pack that is not complete on storage.
 */
export class Repository {
  readonly index = new BlobIndex();
  /** Names of the index files the loaded index came from. */
  indexFiles: string[] = [];
  private readonly pending = new Set<string>();
  private readonly packer: PackWriter;
  private readonly savingPacks = new Set<Promise<unknown>>();
  private savingBytes = 0;
  private unindexedPacks: Array<{ id: string; entries: PackEntry[] }> = [];
  private indexWrite: Promise<void> = Promise.resolve();
  private failure: unknown;
  /** Bytes of packs this process has written (the packed, sealed size). */
  bytesWritten = 0;
  private readonly treeSpans = new Map<string, TreeSpan>();
  private treeSpanBytes = 0;

  constructor(
    readonly backend: VaultBackend,
    readonly key: Buffer,
    readonly config: VaultConfig,
  ) {
    this.packer = new PackWriter(key, config.packSize, (pack) => {
      void this.storePack(pack).then((stored) => stored && this.packer.recycle(pack.body));
    });
  }

  // ---- files --------------------------------------------------------------------------------------------

  /** Saves a sealed JSON file under `<kind>/<sha256 of the sealed bytes>` and returns that id. */
  async saveJsonFile(kind: 'snapshots' | 'index' | 'locks', value: unknown): Promise<string> {
    const sealed = sealJson(this.key, value);
    const id = sha256(sealed);
    await this.saveFile(`${kind}/${id}`, sealed);
    return id;
  }

  async loadJsonFile<T>(name: string): Promise<T> {
    return openJson<T>(this.key, await this.backend.load(name), name);
  }

  async saveFile(name: string, data: Buffer | Readable): Promise<void> {
    try {
      await this.backend.save(name, data);
    } catch (err) {
      throw describeIoError(err, `saving ${name}`);
    }
  }

  // ---- index ----------------------------------------------------------------------------------------------

  async loadIndex(): Promise<void> {
    const files = await this.backend.list('index/');
    const loaded = await mapLimit(files, 8, async (f) => ({ name: f.name, packs: decodeIndexFile(this.key, await this.backend.load(f.name), f.name) }));
    for (const { name, packs } of loaded) {
      this.indexFiles.push(name);
      for (const p of packs) this.index.addPack(p.id, p.entries);
    }
  }

  /**
   * Packs saved by an interrupted run but never listed in an index file are read back (their header is
   * self-describing) and indexed, so their blobs are reused instead of written again.
   */
  async indexUnlistedPacks(): Promise<number> {
    let recovered = 0;
    for (const f of await this.backend.list('data/')) {
      const id = f.name.slice('data/'.length);
      if (this.index.hasPack(id)) continue;
      let entries: PackEntry[];
      try {
        entries = await this.readPackHeader(id, f.size);
      } catch {
        continue; // a damaged pack is left for `check` to report
      }
      this.index.addPack(id, entries);
      this.unindexedPacks.push({ id, entries });
      recovered++;
    }
    if (recovered) await this.writeIndexBatch();
    return recovered;
  }

  async readPackHeader(packId: string, packSize?: number): Promise<PackEntry[]> {
    const name = `data/${packId}`;
    const size = packSize ?? (await this.backend.stat(name)).size;
    let want = Math.min(size, 64 * 1024);
    for (;;) {
      const tail = await this.backend.load(name, { offset: size - want, length: want });
      const result = decodePackHeader(this.key, tail, size, packId);
      if (Array.isArray(result)) return result;
      want = result.needBytes;
    }
  }

  // ---- writing blobs ----------------------------------------------------------------------------------------

  /** True when the blob is stored or on its way; otherwise marks it on its way and returns false. */
  claim(id: string): boolean {
    if (this.index.has(id) || this.pending.has(id)) return true;
    this.pending.add(id);
    return false;
  }

  /** Gives up a claim whose blob will not arrive (the file failed or the run stopped). */
  release(id: string): void {
    this.pending.delete(id);
  }

  isKnown(id: string): boolean {
    return this.index.has(id) || this.pending.has(id);
  }

  /** Resolves when packs waiting for storage hold less than about two packs of memory. */
  async waitForRoom(signal?: AbortSignal): Promise<void> {
    while (this.savingBytes + this.packer.openBytes > 2 * this.config.packSize && this.savingPacks.size > 0) {
      throwIfAborted(signal);
      await Promise.race(this.savingPacks);
    }
    this.throwIfFailed();
  }

  /** Adds a claimed, encoded blob to the open pack (closed and stored when full). */
  addBlob(blob: EncodedBlob): void {
    this.throwIfFailed();
    this.packer.add(blob);
  }

  /** Encodes and stores a blob unless it is already known; returns its id. */
  async saveBlob(type: 'data' | 'tree', raw: Buffer, signal?: AbortSignal): Promise<string> {
    const id = blobId(raw);
    if (this.claim(id)) return id;
    await this.waitForRoom(signal);
    this.addBlob(encodeBlob(this.key, type, raw, id, compressionLevel(this.config)));
    return id;
  }

  /** Closes the open pack and waits until every pack is saved and listed in an index file. */
  async flush(): Promise<void> {
    this.packer.close();
    while (this.savingPacks.size) await Promise.allSettled([...this.savingPacks]);
    this.throwIfFailed();
    await this.writeIndexBatch();
  }

  /**
   * Saves a finished pack and indexes it: packs closed here and packs assembled by chunk workers go through the
   * same accounting. Resolves to false when saving failed (the failure is then raised by the next waitForRoom,
   * addBlob or flush). The caller may reuse the pack's buffer once this resolves to true.
   */
  storePack(pack: SealedPack): Promise<boolean> {
    const { id, entries } = pack;
    const parts = [pack.body.subarray(0, pack.used), pack.header];
    const size = pack.used + pack.header.length;
    this.savingBytes += size;
    const saving = this.writePack(id, parts, entries, size)
      .then(
        () => true,
        (err: unknown) => {
          this.failure ??= err;
          for (const e of entries) this.pending.delete(e.id);
          return false;
        },
      )
      .finally(() => {
        this.savingBytes -= size;
        this.savingPacks.delete(saving);
      });
    this.savingPacks.add(saving);
    return saving;
  }

  private async writePack(id: string, parts: Buffer[], entries: PackEntry[], size: number): Promise<void> {
    await this.saveFile(`data/${id}`, Readable.from(parts));
    this.bytesWritten += size;
    this.index.addPack(id, entries);
    for (const e of entries) this.pending.delete(e.id);
    this.unindexedPacks.push({ id, entries });
    if (this.unindexedPacks.length >= PACKS_PER_INDEX_FILE) await this.writeIndexBatch();
  }

  private writeIndexBatch(): Promise<void> {
    const run = async () => {
      if (!this.unindexedPacks.length) return;
      const batch = this.unindexedPacks;
      this.unindexedPacks = [];
      try {
        const sealed = encodeIndexFile(this.key, batch);
        const name = `index/${sha256(sealed)}`;
        await this.saveFile(name, sealed);
        this.indexFiles.push(name);
      } catch (err) {
        this.unindexedPacks.unshift(...batch);
        throw err;
      }
    };
    this.indexWrite = this.indexWrite.then(run, run);
    return this.indexWrite;
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  // ---- reading blobs ---------------------------------------------------------------------------------------

  async loadBlob(id: string): Promise<Buffer> {
    const { sealed, loc } = await this.loadSealedBlob(id);
    return decodeBlob(this.key, sealed, loc);
  }

  /** The stored (sealed) bytes of a blob and where they are, for callers that decode elsewhere. */
  async loadSealedBlob(id: string): Promise<{ sealed: Buffer; loc: BlobLocation }> {
    const loc = this.index.get(id);
    if (!loc) throw new IntegrityError(`blob ${id.slice(0, 12)} is not in the index`);
    try {
      const fromSpan = loc.type === 'tree' ? await this.loadFromTreeSpan(loc) : undefined;
      return { sealed: fromSpan ?? (await this.backend.load(`data/${loc.pack}`, { offset: loc.offset, length: loc.length })), loc };
    } catch (err) {
      if (isNotFoundError(err)) throw new IntegrityError(`pack ${loc.pack.slice(0, 12)} holding blob ${id.slice(0, 12)} is missing`);
      throw err;
    }
  }

  /**
   * A walk reads every directory's tree, one small blob at a time; over object storage each read is a round trip
   * (two through a redirect). So the first tree read from a pack fetches the span holding all of that pack's tree
   * blobs, and later ones are cut from memory. Undefined when the span is too large or could not be read (the
   * index may lie): the caller then reads the one blob.
   */
  private async loadFromTreeSpan(loc: BlobLocation): Promise<Buffer | undefined> {
    let span = this.treeSpans.get(loc.pack);
    if (span) {
      this.treeSpans.delete(loc.pack);
      this.treeSpans.set(loc.pack, span);
    } else {
      const trees = (this.index.packEntries(loc.pack) ?? []).filter((e) => e.type === 'tree');
      if (trees.length < 2) return undefined;
      const offset = Math.min(...trees.map((e) => e.offset));
      const length = Math.max(...trees.map((e) => e.offset + e.length)) - offset;
      if (length > TREE_SPAN_MAX_BYTES || length <= 0) return undefined;
      span = { offset, length, bytes: this.backend.load(`data/${loc.pack}`, { offset, length }) };
      this.treeSpans.set(loc.pack, span);
      this.treeSpanBytes += length;
      for (const [pack, old] of this.treeSpans) {
        if (this.treeSpanBytes <= TREE_SPAN_CACHE_BYTES || old === span) break;
        this.treeSpans.delete(pack);
        this.treeSpanBytes -= old.length;
      }
    }
    const start = loc.offset - span.offset;
    if (start < 0 || start + loc.length > span.length) return undefined;
    try {
      return (await span.bytes).subarray(start, start + loc.length);
    } catch (err) {
      if (this.treeSpans.get(loc.pack) === span) {
        this.treeSpans.delete(loc.pack);
        this.treeSpanBytes -= span.length;
      }
      if (isNotFoundError(err)) throw err;
      return undefined;
    }
  }
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
