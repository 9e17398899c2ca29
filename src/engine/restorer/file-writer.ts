import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import type { Repository } from '../repository/repository.js';
import { joinPath, type TreeNode } from '../vault/tree.js';
import type { ByteBudget } from './byte-budget.js';
import type { DecodePool } from './decode-pool.js';

const PREFETCH = 3;
let zeros = Buffer.alloc(0);

function isAllZero(buf: Buffer): boolean {
  if (zeros.length < buf.length) zeros = Buffer.alloc(Math.max(buf.length, 1024 * 1024));
  return buf.equals(zeros.subarray(0, buf.length));
}

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
 * Writes one file from its blobs. Every blob is authenticated and hash-checked before a byte of it is written;
 * on any failure the partial file is deleted, so a wrong file is never left under the real name. Replacing an
 * existing file goes through a temporary name and a rename. Blocks of zeros become holes.
 */
export async function writeFileFromBlobs(repo: Repository, dir: Buffer, name: Buffer, node: TreeNode, options: WriteOptions): Promise<void> {
  const finalPath = joinPath(dir, name);
  const writePath = options.fresh ? finalPath : joinPath(dir, Buffer.from(`.coffer-restore-${randomBytes(6).toString('hex')}`));
  const handle = await fs.open(writePath, 'wx', 0o600);
  let closed = false;
  const ids = node.content ?? [];
  const sizes = ids.map((id) => repo.index.get(id)?.rawLength ?? 0);
  const loads: Array<Promise<Buffer> | undefined> = [];
  const startLoad = async (i: number): Promise<Buffer> => {
    await options.budget.acquire(sizes[i]!);
    const { sealed, loc } = await repo.loadSealedBlob(ids[i]!);
    return options.decoder.decode(sealed, loc);
  };
  const queue = (i: number) => {
    if (i >= ids.length) return;
    const p = startLoad(i);
    p.catch(() => undefined); // observed when its turn comes; avoids an unhandled rejection meanwhile
    loads[i] = p;
  };
  try {
    for (let i = 0; i < PREFETCH; i++) queue(i);
    let position = 0;
    let holeAtEnd = false;
    for (let i = 0; i < ids.length; i++) {
      if (options.signal?.aborted) throw new Error('restore stopped');
      const data = await loads[i]!;
      loads[i] = undefined;
      try {
        queue(i + PREFETCH);
        holeAtEnd = isAllZero(data);
        if (!holeAtEnd) {
          let done = 0;
          while (done < data.length) done += (await handle.write(data, done, data.length - done, position + done)).bytesWritten;
        }
      } finally {
        options.budget.release(sizes[i]!);
      }
      position += data.length;
      options.onBytes(data.length);
    }
    if (holeAtEnd) await handle.truncate(position);
    if (options.chown && (node.uid !== process.getuid?.() || node.gid !== process.getgid?.())) await handle.chown(node.uid, node.gid);
    await handle.chmod(node.mode);
    const mtime = Number(BigInt(node.mtimeNs)) / 1e9;
    await handle.utimes(mtime, mtime);
    await handle.close();
    closed = true;
    if (writePath !== finalPath) await fs.rename(writePath, finalPath);
  } catch (err) {
    if (!closed) await handle.close().catch(() => undefined);
    await fs.rm(writePath, { force: true }).catch(() => undefined);
    // Give back the budget of loads that were started but never consumed.
    const pending = loads.map((p, i) => (p ? { p, i } : undefined)).filter((x) => x !== undefined);
    await Promise.allSettled(pending.map((x) => x.p));
    for (const x of pending) options.budget.release(sizes[x.i]!);
    throw err;
  }
}
