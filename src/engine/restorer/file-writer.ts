import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import type { Repository } from '../repository/repository.js';
import { joinPath, type TreeNode } from '../vault/tree.js';

const PREFETCH = 2;
let zeros = Buffer.alloc(0);

function isAllZero(buf: Buffer): boolean {
  if (zeros.length < buf.length) zeros = Buffer.alloc(Math.max(buf.length, 1024 * 1024));
  return buf.equals(zeros.subarray(0, buf.length));
}

/**
 * Writes one file from its blobs into a temporary file beside the destination, then renames it into place,
 * so a failed or corrupted restore never leaves a wrong file under the real name. Blocks of zeros become
 * holes. Every blob is authenticated and hash-checked before a byte of it is written.
 */
export async function writeFileFromBlobs(
  repo: Repository,
  dir: Buffer,
  name: Buffer,
  node: TreeNode,
  options: { chown: boolean; onBytes: (n: number) => void; signal?: AbortSignal },
): Promise<void> {
  const tmp = joinPath(dir, Buffer.from(`.coffer-restore-${randomBytes(6).toString('hex')}`));
  const handle = await fs.open(tmp, 'wx', 0o600);
  let closed = false;
  try {
    const ids = node.content ?? [];
    const loads: Array<Promise<Buffer>> = [];
    const startLoad = (i: number) => {
      if (i < ids.length) {
        const p = repo.loadBlob(ids[i]!);
        p.catch(() => undefined); // observed below; avoids an unhandled rejection while queued
        loads.push(p);
      }
    };
    for (let i = 0; i < PREFETCH; i++) startLoad(i);
    let position = 0;
    for (let i = 0; i < ids.length; i++) {
      options.signal?.throwIfAborted();
      const data = await loads[i]!;
      loads[i] = Promise.resolve(Buffer.alloc(0));
      startLoad(i + PREFETCH);
      if (!isAllZero(data)) {
        let done = 0;
        while (done < data.length) done += (await handle.write(data, done, data.length - done, position + done)).bytesWritten;
      }
      position += data.length;
      options.onBytes(data.length);
    }
    await handle.truncate(position);
    if (options.chown) await handle.chown(node.uid, node.gid);
    await handle.chmod(node.mode);
    await handle.close();
    closed = true;
    const mtime = Number(BigInt(node.mtimeNs)) / 1e9;
    await fs.utimes(tmp, mtime, mtime);
    await fs.rename(tmp, joinPath(dir, name));
  } catch (err) {
    if (!closed) await handle.close().catch(() => undefined);
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}
