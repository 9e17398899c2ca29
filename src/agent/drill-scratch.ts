import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { AgentState } from './agent-state.js';
import { JobRefusal } from './jobs/job-runtime.js';

/**
 * The scratch folders of restore drills. A drill restores only into a folder that is absent or empty, which this
 * agent then creates or takes; it remembers the folder by the restore's id (in its state file, so across restarts)
 * and removes it once the drill's check has run, or when the restore does not complete. A folder is only ever
 * removed whole when this agent recorded it itself: the server names the restore, never a path to delete.
 */
export class ScratchFolders {
  constructor(
    private readonly state: AgentState,
    private readonly log: Logger,
  ) {}

  /** Checks and takes the folder for `restoreId`; refuses anything but an absent or empty real directory. */
  async prepare(restoreId: string, target: string | null): Promise<string> {
    if (target === null || !path.isAbsolute(target) || path.resolve(target) === '/' || path.resolve(target) !== target.replace(/\/+$/, '')) {
      throw new JobRefusal('target_invalid', `A drill restores into an absolute scratch folder other than "/"; "${target ?? ''}" is not one. Nothing was written.`);
    }
    const folder = path.resolve(target);
    const mine = this.state.scratchFolders()[restoreId] === folder;
    const stat = await fs.lstat(folder).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (stat === undefined) {
      await fs.mkdir(folder, { recursive: true, mode: 0o700 });
    } else if (!stat.isDirectory() || stat.isSymbolicLink()) {
      throw new JobRefusal('target_not_empty', `The drill's scratch folder ${folder} exists and is not a directory; a drill restores only into an empty or new folder. Nothing was written.`);
    } else if (mine) {
      // This agent's own folder from before a restart: start it over.
      await emptyFolder(folder);
    } else {
      const entries = await fs.readdir(folder);
      if (entries.length > 0) {
        throw new JobRefusal(
          'target_not_empty',
          `The drill's scratch folder ${folder} is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, e.g. "${entries[0]}"); a drill restores only into an empty or new folder, and never overwrites anything. Nothing was written.`,
        );
      }
    }
    await this.state.setScratch(restoreId, folder);
    return folder;
  }

  /** The folder this agent prepared for `restoreId`, if it still holds it. */
  folderOf(restoreId: string): string | undefined {
    return this.state.scratchFolders()[restoreId];
  }

  /** Removes the folder prepared for `restoreId` (nothing when there is none) and forgets it. */
  async remove(restoreId: string): Promise<void> {
    const folder = this.folderOf(restoreId);
    if (folder === undefined) return;
    await fs.rm(folder, { recursive: true, force: true }).catch((err: unknown) => this.log.error({ folder, err: (err as Error).message }, 'could not remove a drill scratch folder'));
    await this.state.setScratch(restoreId, undefined);
    this.log.info({ restore: restoreId, folder }, 'drill scratch folder removed');
  }

  /** After a restart: every drill in hand was ended, so their folders go. */
  async removeAll(): Promise<void> {
    for (const restoreId of Object.keys(this.state.scratchFolders())) await this.remove(restoreId);
  }
}

async function emptyFolder(folder: string): Promise<void> {
  for (const entry of await fs.readdir(folder)) await fs.rm(path.join(folder, entry), { recursive: true, force: true });
}
