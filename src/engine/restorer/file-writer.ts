import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import type { Repository } from '../repository/repository.js';
import { Semaphore } from '../semaphore.js';
import { secondsOf } from './node-times.js';
import { IntegrityError } from '../errors.js';
import type { TreeNode } from '../vault/tree.js';
import type { ByteBudget } from './byte-budget.js';
import type { DecodePool } from './decode-pool.js';
import type { DirHandle } from './dir-handle.js';

/** Blobs of one file loaded and written at the same time (writes are positional, so order does not matter). */
const BLOBS_PER_FILE = 4;

export interface WriteOptions {
  /** The destination did not exist (a fresh directory): write under the real name directly. */
  fresh: boolean;
  chown: boolean;
  budget: ByteBudget;
  decoder: DecodePool;
  onBytes: (n: number) => void;
  signal?: AbortSignal;
}

/**
 * Writes one file from its blobs. Each blob is verified (authenticated and hash-checked) before a byte of it is
 * written; on any failure the partial file is deleted, so a wrong file is never left under the real name.
 * Replacing an existing file goes through a temporary name and a rename. Blocks of zeros become holes.
 */
export async function writeFileFromBlobs(repo: Repository, dir: DirHandle, name: Buffer, node: TreeNode, options: WriteOptions): Promise<void> {
  const ids = node.content ?? [];
  checkSize(repo, node, ids);
  if (ids.length === 1) return writeOneBlobFile(repo, dir, name, node, ids[0]!, options);
  const finalPath = dir.entry(name);
  const writePath = options.fresh ? finalPath : dir.entry(Buffer.from(`.coffer-restore-${randomBytes(6).toString('hex')}`));
  const handle = await fs.open(writePath, 'wx', 0o600);
  let closed = false;
  try {
    const slots = new Semaphore(BLOBS_PER_FILE);
    const tasks: Array<Promise<{ zero: boolean }>> = [];
    let failed: unknown;
    let position = 0;
    for (const id of ids) {
      await slots.acquire();
      if (failed !== undefined || options.signal?.aborted) {
        slots.release();
        break;
      }
      const size = repo.index.get(id)?.rawLength ?? 0;
      const at = position;
      position += size;
      const task = (async () => {
        await options.budget.acquire(size);
        try {
          const { sealed, loc } = await repo.loadSealedBlob(id);
          const result = await options.decoder.decodeInto(sealed, loc, handle.fd, at);
          options.onBytes(size);
          return result;
        } finally {
          options.budget.release(size);
          slots.release();
        }
      })();
      task.catch((err: unknown) => (failed ??= err));
      tasks.push(task);
    }
    const results = await Promise.allSettled(tasks);
    if (failed !== undefined) throw failed;
    if (options.signal?.aborted) throw new Error('restore stopped');
    const last = results.at(-1);
    if (last?.status === 'fulfilled' && last.value.zero) await handle.truncate(position);
    if (options.chown && (node.uid !== process.getuid?.() || node.gid !== process.getgid?.())) await handle.chown(node.uid, node.gid);
    await handle.chmod(node.mode);
    const mtime = secondsOf(node.mtimeNs);
    await handle.utimes(mtime, mtime);
    await handle.close();
    closed = true;
    if (writePath !== finalPath) await fs.rename(writePath, finalPath);
  } catch (err) {
    if (!closed) await handle.close().catch(() => undefined);
    await fs.rm(writePath, { force: true }).catch(() => undefined);
    throw err;
  }
}

/** Most files are one blob: a worker restores those whole, with the same guarantees. */
async function writeOneBlobFile(repo: Repository, dir: DirHandle, name: Buffer, node: TreeNode, id: string, options: WriteOptions): Promise<void> {
  const size = repo.index.get(id)?.rawLength ?? 0;
  await options.budget.acquire(size);
  try {
    const { sealed, loc } = await repo.loadSealedBlob(id);
    const chown = options.chown && (node.uid !== process.getuid?.() || node.gid !== process.getgid?.());
    const mtime = secondsOf(node.mtimeNs);
    await options.decoder.restoreOneBlobFile(sealed, loc, { dir: dir.prefix, name, fresh: options.fresh, mode: node.mode, uid: node.uid, gid: node.gid, chown, mtime });
    options.onBytes(size);
  } finally {
    options.budget.release(size);
  }
}

/** The blobs must add up to the size the tree states: a file is never written longer than its entry says. */
function checkSize(repo: Repository, node: TreeNode, ids: string[]): void {
  let total = 0;
  for (const id of ids) {
    const loc = repo.index.get(id);
    if (!loc) throw new IntegrityError(`blob ${id.slice(0, 12)} is not in the index`);
    if (loc.type !== 'data') throw new IntegrityError(`blob ${id.slice(0, 12)} is not file data`);
    total += loc.rawLength;
  }
  if (total !== node.size) throw new IntegrityError(`the file's data adds up to ${total} bytes, its entry says ${node.size}`);
}
