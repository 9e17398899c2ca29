import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import type { DirHandle } from './dir-handle.js';

/** Directories kept open for hard-link sources; past this, further files are restored as separate copies. */
const MAX_HELD_DIRS = 256;

interface Source<D> {
  dir: D;
  name: Buffer;
  dev: bigint;
  ino: bigint;
}

/**
 * The names of one hard-linked file (entries of a snapshot with the same device and inode) restored as links to
 * one file. The first name is written from its data; the others are linked to it. Only a file this restore has
 * just written can be a source, reached through its open directory, so a link can never reach a file outside
 * the target or one that was there before (whatever the tree says: entries name no link target, only a key).
 */
export class HardLinks<D extends { handle: DirHandle }> {
  private readonly sources = new Map<string, Promise<Source<D> | undefined>>();
  private readonly held = new Set<D>();

  /** The source for `key`, once its file is written; undefined when there is none (or it could not be written). */
  sourceOf(key: string): Promise<Source<D> | undefined> {
    return this.sources.get(key) ?? Promise.resolve(undefined);
  }

  /**
   * Makes the entry about to be written the source of `key`, unless one is already claimed. Call `written` after
   * its file is complete (true: `dir` must be kept open until `heldDirs` are released) or `failed`.
   */
  claim(key: string): { written(dir: D, name: Buffer): Promise<boolean>; failed(): void } | undefined {
    if (this.sources.has(key)) return undefined;
    let settle!: (source: Source<D> | undefined) => void;
    this.sources.set(key, new Promise((resolve) => (settle = resolve)));
    return {
      written: async (dir, name) => {
        if (!this.held.has(dir) && this.held.size >= MAX_HELD_DIRS) {
          settle(undefined);
          return false;
        }
        try {
          const st = await fs.lstat(dir.handle.entry(name), { bigint: true });
          if (!st.isFile()) throw new Error('was replaced while the restore ran');
          const first = !this.held.has(dir);
          this.held.add(dir);
          settle({ dir, name, dev: st.dev, ino: st.ino });
          return first;
        } catch (err) {
          settle(undefined);
          throw err;
        }
      },
      failed: () => settle(undefined),
    };
  }

  /** Links `name` in `dir` to the source; with `replace`, over what is there (through a fresh name and a rename). */
  async link(source: Source<D>, dir: DirHandle, name: Buffer, replace: boolean): Promise<void> {
    const made = replace ? Buffer.from(`.coffer-restore-${randomBytes(6).toString('hex')}`) : name;
    await fs.link(source.dir.handle.entry(source.name), dir.entry(made));
    try {
      const st = await fs.lstat(dir.entry(made), { bigint: true });
      if (st.dev !== source.dev || st.ino !== source.ino) throw new Error('the file it links to was replaced while the restore ran; not linked');
      if (made !== name) await fs.rename(dir.entry(made), dir.entry(name));
    } catch (err) {
      await fs.unlink(dir.entry(made)).catch(() => undefined);
      throw err;
    }
  }

  /** Directories held open for sources: the caller releases each once the restore is over. */
  heldDirs(): D[] {
    return [...this.held];
  }
}
