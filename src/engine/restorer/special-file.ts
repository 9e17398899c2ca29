import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { promisify } from 'node:util';
import type { TreeNode } from '../vault/tree.js';
import type { DirHandle } from './dir-handle.js';
import { secondsOf } from './node-times.js';

const run = promisify(execFile);

/** Linux's encoding of st_rdev (glibc's gnu_dev_major / gnu_dev_minor). */
export function deviceNumbers(rdev: string): { major: bigint; minor: bigint } {
  const value = BigInt(rdev);
  return {
    major: ((value >> 8n) & 0xfffn) | ((value >> 32n) & ~0xfffn),
    minor: (value & 0xffn) | ((value >> 12n) & ~0xffn),
  };
}

/** Why this entry cannot be recreated here, or undefined when it can. */
export function specialFileProblem(node: TreeNode, root: boolean): string | undefined {
  if (node.type === 'socket') return 'a socket is not recreated: it exists only while a program listens on it';
  if ((node.type === 'chardev' || node.type === 'blockdev') && !root) return 'a device node is recreated only by a restore running as root';
  return undefined;
}

/**
 * Recreates a FIFO or device node in `dir` with its mode, owner (as root) and times. Node has no mknod, so the
 * mknod program makes it under a fresh random name, reached through this process's descriptor of the directory,
 * and it is renamed into place (over what was there, when the caller allows that).
 */
export async function makeSpecialFile(dir: DirHandle, name: Buffer, node: TreeNode, chown: boolean): Promise<void> {
  const made = `.coffer-restore-${randomBytes(6).toString('hex')}`;
  const kind = node.type === 'fifo' ? ['p'] : [node.type === 'chardev' ? 'c' : 'b', ...Object.values(deviceNumbers(node.rdev!)).map(String)];
  await run('mknod', ['-m', node.mode.toString(8), dir.entryForChildProcess(made), ...kind]);
  const path = dir.entry(Buffer.from(made));
  try {
    if (chown) await fs.lchown(path, node.uid, node.gid);
    const mtime = secondsOf(node.mtimeNs);
    await fs.lutimes(path, mtime, mtime);
    await fs.rename(path, dir.entry(name));
  } catch (err) {
    await fs.unlink(path).catch(() => undefined);
    throw err;
  }
}
