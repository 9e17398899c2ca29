import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { FILE_KINDS, vaultFileSegments, type ByteRange, type FileInfo, type VaultBackend } from './backend.js';
import { BackendNotFoundError } from './errors.js';
import { checkRange } from './memory-backend.js';

/**
 * A vault in a local directory. Every save goes to `tmp/`, is fsynced, renamed into place and the directory
 * fsynced, so a crash leaves either the old file or the complete new one (lock files skip the fsyncs: they
 * mean nothing after a crash). Pack files are spread over 256
 * sub-directories of `data/` (by the first two hex digits of their name) to keep directories small.
 */
const OPEN_PACKS = 32;

export class LocalBackend implements VaultBackend {
  readonly location: string;
  private readonly knownDirs = new Set<string>();
  private readonly openPacks = new Map<string, Promise<{ handle: fs.FileHandle; size: number }>>();
  private readonly readers = new Map<fs.FileHandle, number>();
  private readonly closing = new Set<fs.FileHandle>();

  constructor(readonly root: string) {
    this.location = path.resolve(root);
  }

  private pathOf(name: string): string {
    return path.join(this.location, ...vaultFileSegments(name));
  }

  async save(name: string, data: Buffer | Readable): Promise<void> {
    const finalPath = this.pathOf(name);
    const tmpDir = path.join(this.location, 'tmp');
    if (!this.knownDirs.has(tmpDir)) {
      await this.ensureDir(tmpDir);
      await removeStaleTemporaries(tmpDir);
    }
    await this.ensureDir(path.dirname(finalPath));
    const tmpPath = path.join(tmpDir, `${name.replace('/', '-')}.${randomBytes(6).toString('hex')}`);
    // Lock files only matter while their writer lives (a crash makes them stale anyway): no fsync for them.
    const durable = !name.startsWith('locks/');
    const handle = await fs.open(tmpPath, 'wx', 0o600);
    try {
      try {
        if (Buffer.isBuffer(data)) {
          await writeFully(handle, data);
        } else {
          for await (const part of data) await writeFully(handle, Buffer.isBuffer(part) ? part : Buffer.from(part));
        }
        if (durable) await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(tmpPath, finalPath);
    } catch (err) {
      await fs.rm(tmpPath, { force: true }).catch(() => undefined);
      throw err;
    }
    if (durable) await syncDir(path.dirname(finalPath));
  }

  async load(name: string, range?: ByteRange): Promise<Buffer> {
    const filePath = this.pathOf(name);
    if (range && name.startsWith('data/')) return this.loadPackRange(name, filePath, range);
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(filePath, 'r');
    } catch (err) {
      throw mapNotFound(err, name);
    }
    try {
      const { size } = await handle.stat();
      const offset = range ? range.offset : 0;
      const length = range ? range.length : size;
      if (range) checkRange(name, range, size);
      const buffer = Buffer.allocUnsafe(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(buffer, done, length - done, offset + done);
        if (bytesRead === 0) throw new Error(`short read of ${name}`);
        done += bytesRead;
      }
      return buffer;
    } finally {
      await handle.close();
    }
  }

  /**
   * Packs never change once written (their name is their hash), so restores and checks that read many blobs
   * keep a few pack files open instead of opening one per blob.
   */
  private async loadPackRange(name: string, filePath: string, range: ByteRange): Promise<Buffer> {
    let entry = this.openPacks.get(name);
    if (entry) {
      this.openPacks.delete(name);
      this.openPacks.set(name, entry);
    } else {
      entry = fs.open(filePath, 'r').then(async (handle) => ({ handle, size: (await handle.stat()).size }));
      this.openPacks.set(name, entry);
      entry.catch(() => this.openPacks.delete(name));
      while (this.openPacks.size > OPEN_PACKS) {
        const [oldest, old] = this.openPacks.entries().next().value!;
        this.openPacks.delete(oldest);
        void old.then(
          (o) => this.closeLater(o.handle),
          () => undefined,
        );
      }
    }
    let open: { handle: fs.FileHandle; size: number };
    try {
      open = await entry;
    } catch (err) {
      throw mapNotFound(err, name);
    }
    checkRange(name, range, open.size);
    this.readers.set(open.handle, (this.readers.get(open.handle) ?? 0) + 1);
    try {
      const buffer = Buffer.allocUnsafe(range.length);
      let done = 0;
      while (done < range.length) {
        const { bytesRead } = await open.handle.read(buffer, done, range.length - done, range.offset + done);
        if (bytesRead === 0) throw new Error(`short read of ${name}`);
        done += bytesRead;
      }
      return buffer;
    } finally {
      const left = this.readers.get(open.handle)! - 1;
      if (left) this.readers.set(open.handle, left);
      else {
        this.readers.delete(open.handle);
        if (this.closing.has(open.handle)) await this.closeNow(open.handle);
      }
    }
  }

  private async closeLater(handle: fs.FileHandle): Promise<void> {
    if (this.readers.has(handle)) this.closing.add(handle);
    else await this.closeNow(handle);
  }

  private async closeNow(handle: fs.FileHandle): Promise<void> {
    this.closing.delete(handle);
    await handle.close().catch(() => undefined);
  }

  private async forgetOpenPack(name: string): Promise<void> {
    const entry = this.openPacks.get(name);
    if (!entry) return;
    this.openPacks.delete(name);
    await entry.then(
      (o) => this.closeLater(o.handle),
      () => undefined,
    );
  }

  async stat(name: string): Promise<FileInfo> {
    try {
      const st = await fs.stat(this.pathOf(name));
      return { name, size: st.size };
    } catch (err) {
      throw mapNotFound(err, name);
    }
  }

  async list(prefix: string): Promise<FileInfo[]> {
    const out: FileInfo[] = [];
    if ('config'.startsWith(prefix)) {
      const config = await this.stat('config').catch(() => undefined);
      if (config) out.push(config);
    }
    for (const kind of FILE_KINDS) {
      if (!`${kind}/`.startsWith(prefix) && !prefix.startsWith(`${kind}/`)) continue;
      const kindDir = path.join(this.location, kind);
      const dirs = kind === 'data' ? (await readDirSafe(kindDir)).map((d) => path.join(kindDir, d)) : [kindDir];
      for (const dir of dirs) {
        for (const entry of await readDirSafe(dir)) {
          const name = `${kind}/${entry}`;
          if (!name.startsWith(prefix)) continue;
          const st = await fs.stat(path.join(dir, entry)).catch(() => undefined);
          if (st?.isFile()) out.push({ name, size: st.size });
        }
      }
    }
    return out;
  }

  async remove(name: string): Promise<void> {
    const filePath = this.pathOf(name);
    await this.forgetOpenPack(name);
    try {
      await fs.unlink(filePath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    if (!name.startsWith('locks/')) await syncDir(path.dirname(filePath));
  }

  async close(): Promise<void> {
    await Promise.all([...this.openPacks.keys()].map((name) => this.forgetOpenPack(name)));
  }

  /** Creates a directory (and parents) and fsyncs each parent that gained an entry. */
  private async ensureDir(dir: string): Promise<void> {
    if (this.knownDirs.has(dir)) return;
    const first = await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    if (first) {
      let current = dir;
      while (current.length >= first.length) {
        await syncDir(path.dirname(current));
        current = path.dirname(current);
      }
    }
    this.knownDirs.add(dir);
  }
}

/** Writes all of `data` at the handle's position (a single write may be short). */
export async function writeFully(handle: fs.FileHandle, data: Buffer): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await handle.write(data, done, data.length - done);
    done += bytesWritten;
  }
}

export async function syncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, fsConstants.O_RDONLY | fsConstants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The names in `dir`, or none when it does not exist. */
export async function readDirSafe(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

function mapNotFound(err: unknown, name: string): unknown {
  return (err as NodeJS.ErrnoException).code === 'ENOENT' ? new BackendNotFoundError(name) : err;
}

/** Half-written files of a process that crashed mid-save; one hour is far longer than any save takes. */
const STALE_TEMPORARY_MS = 60 * 60 * 1000;

async function removeStaleTemporaries(tmpDir: string): Promise<void> {
  const cutoff = Date.now() - STALE_TEMPORARY_MS;
  for (const name of await readDirSafe(tmpDir)) {
    const file = path.join(tmpDir, name);
    const st = await fs.stat(file).catch(() => undefined);
    if (st && st.mtimeMs < cutoff) await fs.rm(file, { force: true }).catch(() => undefined);
  }
}
