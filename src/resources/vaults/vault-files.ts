import { randomBytes } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { FILE_KINDS, isValidFileName } from '../../engine/backend/backend.js';
import { readDirSafe, syncDir, writeFully } from '../../engine/backend/local-backend.js';

export interface StoredFile {
  name: string;
  size: number;
}

/** A body grew past the limit while it was being stored; nothing was kept. */
export class TooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the file is larger than ${limit} bytes`);
    this.name = 'TooLargeError';
  }
}

/**
 * One vault's files on the server's disk, under `<dataDir>/vaults/<vault_id>/`. Names are the engine's vault file
 * names (`config`, `<kind>/<id>`), checked before any path is built, so no name can leave the directory. Writes
 * stream into `tmp/`, are fsynced and renamed into place: a reader sees the old file or the whole new one. Packs
 * are spread over 256 sub-directories of `data/` by their first two characters.
 */
export class VaultFiles {
  constructor(readonly root: string) {}

  static forVault(dataDir: string, vaultId: string): VaultFiles {
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(vaultId)) throw new Error(`invalid vault id ${JSON.stringify(vaultId)}`);
    return new VaultFiles(path.join(dataDir, 'vaults', vaultId));
  }

  pathOf(name: string): string {
    if (!isValidFileName(name)) throw new Error(`invalid vault file name ${JSON.stringify(name)}`);
    if (name === 'config') return path.join(this.root, 'config');
    const [kind, id] = name.split('/') as [string, string];
    if (kind === 'data') return path.join(this.root, 'data', id.slice(0, 2).padEnd(2, '_'), id);
    return path.join(this.root, kind, id);
  }

  /**
   * Streams `body` into the file; returns the new size and the size of the file it replaced (null if none).
   * `beforeCommit` sees both sizes once the body is stored and before it replaces anything: throwing keeps nothing.
   */
  async save(
    name: string,
    body: Readable,
    limit: number,
    beforeCommit: (size: number, replacedSize: number | null) => Promise<void> = async () => undefined,
  ): Promise<{ size: number; replacedSize: number | null }> {
    const finalPath = this.pathOf(name);
    const tmpDir = path.join(this.root, 'tmp');
    await fs.mkdir(tmpDir, { recursive: true, mode: 0o700 });
    await fs.mkdir(path.dirname(finalPath), { recursive: true, mode: 0o700 });
    const tmpPath = path.join(tmpDir, `${name.replace('/', '-')}.${randomBytes(6).toString('hex')}`);
    const handle = await fs.open(tmpPath, 'wx', 0o600);
    let size = 0;
    try {
      try {
        for await (const part of body) {
          const chunk = Buffer.isBuffer(part) ? part : Buffer.from(part as Uint8Array);
          size += chunk.length;
          if (size > limit) throw new TooLargeError(limit);
          await writeFully(handle, chunk);
        }
        await handle.sync();
      } finally {
        await handle.close();
      }
      const replacedSize = await this.sizeOf(finalPath);
      await beforeCommit(size, replacedSize);
      await fs.rename(tmpPath, finalPath);
      await syncDir(path.dirname(finalPath));
      return { size, replacedSize };
    } catch (err) {
      await fs.rm(tmpPath, { force: true }).catch(() => undefined);
      body.resume();
      throw err;
    }
  }

  /** Size of a file, or null when it does not exist. */
  async stat(name: string): Promise<StoredFile | null> {
    const size = await this.sizeOf(this.pathOf(name));
    return size === null ? null : { name, size };
  }

  /** A stream of `length` bytes from `offset` (the caller has checked the range against the size). */
  openRead(name: string, offset: number, length: number): ReadStream | null {
    if (length === 0) return null;
    return createReadStream(this.pathOf(name), { start: offset, end: offset + length - 1 });
  }

  async list(prefix: string): Promise<StoredFile[]> {
    const out: StoredFile[] = [];
    if ('config'.startsWith(prefix)) {
      const config = await this.stat('config');
      if (config) out.push(config);
    }
    for (const kind of FILE_KINDS) {
      if (!`${kind}/`.startsWith(prefix) && !prefix.startsWith(`${kind}/`)) continue;
      const kindDir = path.join(this.root, kind);
      const dirs = kind === 'data' ? (await readDirSafe(kindDir)).map((d) => path.join(kindDir, d)) : [kindDir];
      for (const dir of dirs) {
        for (const entry of await readDirSafe(dir)) {
          const name = `${kind}/${entry}`;
          if (!name.startsWith(prefix) || !isValidFileName(name)) continue;
          const st = await fs.stat(path.join(dir, entry)).catch(() => undefined);
          if (st?.isFile()) out.push({ name, size: st.size });
        }
      }
    }
    return out;
  }

  /** Deletes a file; returns the bytes freed, or null when it was already gone. */
  async remove(name: string): Promise<number | null> {
    const filePath = this.pathOf(name);
    const size = await this.sizeOf(filePath);
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

  private async sizeOf(filePath: string): Promise<number | null> {
    try {
      const st = await fs.stat(filePath);
      return st.isFile() ? st.size : null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }
}

