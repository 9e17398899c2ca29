import fs from 'node:fs';
import { joinPath } from '../vault/tree.js';
import type { PathFilter } from './path-filter.js';
import type { BackupState } from './tree-walk-state.js';

/**
 * Counts files and bytes to back up, alongside the real walk, so progress can show totals and an ETA.
 * Synchronous metadata calls (cheap from the inode cache), yielding to the event loop every 256 entries.
 */
export async function scanTotals(roots: string[], filter: PathFilter, state: BackupState, signal?: AbortSignal): Promise<void> {
  let calls = 0;
  const visit = async (p: Buffer): Promise<void> => {
    if (signal?.aborted) return;
    if (++calls % 256 === 0) await new Promise((resolve) => setImmediate(resolve));
    if (filter.isExcluded(p.toString())) return;
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      return;
    }
    if (st.isFile()) {
      state.progress.filesTotal++;
      state.progress.bytesTotal += st.size;
    } else if (st.isDirectory()) {
      let names: Buffer[] = [];
      try {
        names = fs.readdirSync(p, { encoding: 'buffer' });
      } catch {
        return;
      }
      for (const name of names) await visit(joinPath(p, name));
    }
  };
  for (const root of roots) await visit(Buffer.from(root));
  state.progress.scanDone = true;
}
