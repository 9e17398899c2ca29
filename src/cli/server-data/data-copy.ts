import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The local blob store's folder of uploads not yet renamed into place. */
const UPLOADS_IN_PROGRESS = '.tmp';

export interface CopyTally {
  files: number;
  bytes: number;
  /** Files already in the destination with the same size, left as they were. */
  unchanged: number;
}

/**
 * Copies the tree `from` into `to`. Vault files and log files never change once written (a vault file's name is
 * its content's hash), so a file already at the destination with the same size is kept: running the server backup
 * again into the same folder copies only what is new. Folders named `.tmp` (uploads in progress) are skipped; a file
 * that disappears during the copy (a cleanup removed it) is skipped too.
 */
export async function copyTree(from: string, to: string, tally: CopyTally = { files: 0, bytes: 0, unchanged: 0 }): Promise<CopyTally> {
  let entries: fs.Dirent[];
  try {
    entries = await fs.promises.readdir(from, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return tally;
    throw err;
  }
  await fs.promises.mkdir(to, { recursive: true });
  for (const entry of entries) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== UPLOADS_IN_PROGRESS) await copyTree(source, target, tally);
      continue;
    }
    if (!entry.isFile()) continue; // the data folder holds only files and folders; anything else is not ours
    const size = await fs.promises.stat(source).then(
      (s) => s.size,
      () => -1,
    );
    if (size < 0) continue;
    const existing = await fs.promises.stat(target).then(
      (s) => s.size,
      () => -1,
    );
    if (existing === size) {
      tally.unchanged++;
      continue;
    }
    try {
      await copyFileAtomically(source, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    tally.files++;
    tally.bytes += size;
  }
  return tally;
}

/** Copies through a temporary name and renames, so an interrupted copy never leaves a short file under the real name. */
export async function copyFileAtomically(source: string, target: string, mode?: number): Promise<void> {
  const partial = `${target}.partial`;
  await fs.promises.copyFile(source, partial);
  if (mode !== undefined) await fs.promises.chmod(partial, mode);
  await fs.promises.rename(partial, target);
}

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
