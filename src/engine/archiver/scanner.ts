import fs from 'node:fs/promises';
import { joinPath } from '../vault/tree.js';
import type { BackupFilter } from './backup-filter.js';
import type { BackupState } from './tree-walk-state.js';

/**
 * Counts files and bytes to back up, alongside the real walk, so progress can show totals and an ETA.
 * Asynchronous on purpose: the main thread must stay free to answer the chunk workers quickly.
 */
export async function scanTotals(roots: string[], filter: BackupFilter, state: BackupState, signal?: AbortSignal): Promise<void> {
  const visit = async (p: Buffer, rootDev?: number): Promise<void> => {
    if (signal?.aborted) return;
    if (filter.excludesPath(p.toString())) return;
    const st = await fs.lstat(p).catch(() => undefined);
    if (!st) return;
    const dev = rootDev ?? st.dev;
    if (filter.oneFileSystem && st.dev !== dev) return;
    if (st.isFile()) {
      if (filter.excludesFileSize(st.size)) return;
      state.progress.filesTotal++;
      state.progress.bytesTotal += st.size;
    } else if (st.isDirectory()) {
      if (filter.excludesDirContents(p)) return;
      const names = await fs.readdir(p, { encoding: 'buffer' }).catch(() => [] as Buffer[]);
      for (let i = 0; i < names.length; i += 16) await Promise.all(names.slice(i, i + 16).map((name) => visit(joinPath(p, name), dev)));
    }
  };
  for (const root of roots) await visit(Buffer.from(root));
  state.progress.scanDone = true;
}
