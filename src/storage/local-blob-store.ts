import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ByteRange } from '../engine/backend/backend.js';
import { BackendNotFoundError } from '../engine/backend/errors.js';
import { readDirSafe, syncDir, writeFully } from '../engine/backend/local-backend.js';
import { checkRange } from '../engine/backend/memory-backend.js';
import { assertValidKey, BlobExistsError, TooLargeError, type BlobInfo, type BlobStore, type PutOptions } from './blob-store.js';

/** Where a put's bytes are written before they are renamed into place (same file system as the blobs). */
const TMP_DIR = '.tmp';

/**
 * Blobs as files under one directory (the server's data directory): the key is the relative path. A put streams
 * into `.tmp/`, is fsynced, then renamed (or, create-only, hard-linked: that fails when the key exists) into
 * place and the directory fsynced, so a reader sees the old file or the whole new one.
 */
export class LocalBlobStore implements BlobStore {
  readonly kind = 'local';
  readonly location: string;

  constructor(root: string) {
    this.location = path.resolve(root);
  }

  async check(): Promise<void> {
    await fs.mkdir(this.location, { recursive: true, mode: 0o700 });
    await fs.access(this.location, fs.constants.W_OK).catch(() => {
      throw new Error(`storage: the directory ${this.location} is not writable`);
    });
  }

  private pathOf(key: string): string {
    assertValidKey(key);
    if (key === TMP_DIR || key.startsWith(`${TMP_DIR}/`)) throw new TypeError(`invalid blob key: ${JSON.stringify(key)}`);
    return path.join(this.location, ...key.split('/'));
  }

  async put(key: string, body: Buffer | Readable, options: PutOptions = {}): Promise<number> {
    const finalPath = this.pathOf(key);
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    const tmpDir = path.join(this.location, TMP_DIR);
    await fs.mkdir(tmpDir, { recursive: true, mode: 0o700 });
    await fs.mkdir(path.dirname(finalPath), { recursive: true, mode: 0o700 });
    const tmpPath = path.join(tmpDir, `${path.basename(finalPath)}.${randomBytes(6).toString('hex')}`);
    const handle = await fs.open(tmpPath, 'wx', 0o600);
    let size = 0;
    try {
      try {
        const parts = Buffer.isBuffer(body) ? [body] : body;
        for await (const part of parts) {
          const chunk = Buffer.isBuffer(part) ? part : Buffer.from(part as Uint8Array);
          size += chunk.length;
          if (size > limit) throw new TooLargeError(limit);
          await writeFully(handle, chunk);
        }
        await handle.sync();
      } finally {
        await handle.close();
      }
      await options.beforeCommit?.(size);
      if (options.ifAbsent) {
        try {
          await fs.link(tmpPath, finalPath);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new BlobExistsError(key);
          throw err;
        } finally {
          await fs.rm(tmpPath, { force: true });
        }
      } else {
        await fs.rename(tmpPath, finalPath);
      }
      await syncDir(path.dirname(finalPath));
      return size;
    } catch (err) {
      await fs.rm(tmpPath, { force: true }).catch(() => undefined);
      if (!Buffer.isBuffer(body)) body.resume();
      throw err;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const filePath = this.pathOf(key);
    const size = await this.stat(key);
    if (size === null) throw new BackendNotFoundError(key);
    const { offset, length } = range ?? { offset: 0, length: size };
    checkRange(key, { offset, length }, size);
    if (length === 0) return Readable.from([]);
    return createReadStream(filePath, { start: offset, end: offset + length - 1 });
  }

  async stat(key: string): Promise<number | null> {
    try {
      const st = await fs.stat(this.pathOf(key));
      return st.isFile() ? st.size : null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
      throw err;
    }
  }

  async list(prefix: string): Promise<BlobInfo[]> {
    const cut = prefix.lastIndexOf('/');
    const base = cut < 0 ? '' : prefix.slice(0, cut);
    if (base !== '') assertValidKey(base);
    const out: BlobInfo[] = [];
    const walk = async (relative: string): Promise<void> => {
      const dir = path.join(this.location, ...relative.split('/').filter(Boolean));
      for (const entry of await readDirSafe(dir)) {
        const key = relative === '' ? entry : `${relative}/${entry}`;
        if (key === TMP_DIR) continue;
        if (!key.startsWith(prefix) && !prefix.startsWith(`${key}/`)) continue;
        const st = await fs.stat(path.join(dir, entry)).catch(() => undefined);
        if (st?.isDirectory()) await walk(key);
        else if (st?.isFile() && key.startsWith(prefix)) out.push({ key, size: st.size });
      }
    };
    await walk(base);
    return out;
  }

  async remove(key: string): Promise<number | null> {
    const filePath = this.pathOf(key);
    const size = await this.stat(key);
    if (size === null) return null;
    try {
      await fs.unlink(filePath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    await syncDir(path.dirname(filePath));
    return size;
  }

  async close(): Promise<void> {}
}
