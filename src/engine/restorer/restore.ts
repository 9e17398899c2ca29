import type { BigIntStats } from 'node:fs';
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { localPath, PathFilter } from '../archiver/path-filter.js';
import type { FileError } from '../archiver/backup-types.js';
import { abortError, VaultError } from '../errors.js';
import type { Repository } from '../repository/repository.js';
import { Semaphore } from '../semaphore.js';
import { secondsOf } from './node-times.js';
import { findSnapshot, loadSnapshots } from '../vault/snapshot-store.js';
import { hardLinkKey, nameBytes, targetBytes, type TreeNode } from '../vault/tree.js';
import { TreeLoader } from '../vault/tree-loader.js';
import { ByteBudget } from './byte-budget.js';
import { DecodePool } from './decode-pool.js';
import { DirHandle } from './dir-handle.js';
import { writeFileFromBlobs } from './file-writer.js';
import { writeXattrs } from '../xattrs.js';
import { HardLinks } from './hard-links.js';
import { makeSpecialFile, specialFileProblem } from './special-file.js';
import type { RestoreOptions, RestoreProgress, RestoreSummary } from './restore-types.js';

const FILES_IN_FLIGHT = 8;
/** Blobs loaded but not yet written, over all files: bounds memory whatever the chunk sizes. */
const BYTES_IN_FLIGHT = 64 * 1024 * 1024;
/** No real tree is deeper (a path has at most 4096 bytes); a deeper one is refused rather than followed down. */
const MAX_DEPTH = 2048;

const fchown = promisify(fsSync.fchown);
const fchmod = promisify(fsSync.fchmod);
const futimes = promisify(fsSync.futimes);
const fstat = promisify(fsSync.fstat);

/** A directory the restore has open: closed when its walk and every file written into it are done. */
interface OpenDir {
  handle: DirHandle;
  users: number;
  /** Created by this restore (so nothing else can be in it). */
  fresh: boolean;
  /** Owner, mode and times to give it then: only for a directory this restore created. */
  finish?: TreeNode;
  snapPath: string;
}

/**
 * Restores a snapshot (or the parts the filters select) below `target`. Directories are created as the walk
 * meets them, files written concurrently, and a created directory gets its owner, mode and times once its own
 * entries are all in place. Everything below the target is reached through open directory handles (see
 * DirHandle): no symlink is followed, nothing outside the target is touched, and owners, modes and times are set
 * only on what this restore created. A file that cannot be restored exactly, or an entry the tree refuses, is
 * reported and left out; the rest goes on.
 */
export async function runRestore(repo: Repository, options: RestoreOptions): Promise<RestoreSummary> {
  const started = Date.now();
  const snapshot = findSnapshot(await loadSnapshots(repo), options.snapshot);
  const filter = new PathFilter(options.inclusions ?? [], options.exclusions ?? []);
  const targetRoot = Buffer.from(options.target ? localPath(options.target) : '/');
  const trees = new TreeLoader(repo);
  const chown = process.getuid?.() === 0;
  const myUid = process.geteuid?.();
  const errors: FileError[] = [];
  const progress: RestoreProgress = { filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0, errors: 0 };
  const summary = { filesRestored: 0, bytesRestored: 0, dirsRestored: 0, symlinksRestored: 0, hardLinksRestored: 0, specialFilesRestored: 0, filesSkipped: 0 };
  const links = new HardLinks<OpenDir>();
  const slots = new Semaphore(FILES_IN_FLIGHT);
  const budget = new ByteBudget(BYTES_IN_FLIGHT);
  const running = new Set<Promise<void>>();
  let lastEmit = 0;
  const emit = (force = false) => {
    if (!options.onProgress || (!force && Date.now() - lastEmit < 100)) return;
    lastEmit = Date.now();
    options.onProgress({ ...progress });
  };
  const fail = (path: string, err: unknown) => {
    const e = err as NodeJS.ErrnoException;
    errors.push({ path, reason: e?.code && e.code !== 'CORRUPT' ? `${e.code}: ${e.message}` : String(e?.message ?? err) });
    progress.errors = errors.length;
    emit();
  };
  const checkStop = () => {
    if (options.signal?.aborted) throw abortError();
  };

  const release = async (dir: OpenDir): Promise<void> => {
    if (--dir.users > 0) return;
    const node = dir.finish;
    try {
      if (node && !options.signal?.aborted) {
        if (chown) await fchown(dir.handle.fd, node.uid, node.gid).catch(() => undefined);
        await fchmod(dir.handle.fd, node.mode);
        // After its children are made, so a default ACL does not add to what they were given.
        if (node.xattrs) for (const problem of writeXattrs(dir.handle.entry(Buffer.from('.')), node.xattrs)) fail(dir.snapPath, new Error(problem));
        const mtime = secondsOf(node.mtimeNs);
        await futimes(dir.handle.fd, mtime, mtime);
      }
    } catch (err) {
      fail(dir.snapPath, err);
    } finally {
      dir.handle.close();
    }
  };

  const enterDir = async (parent: OpenDir, name: Buffer, node: TreeNode, snapPath: string, existing: BigIntStats | undefined): Promise<OpenDir | undefined> => {
    if (existing && !existing.isDirectory()) {
      const what = existing.isSymbolicLink() ? 'is a symlink (a restore does not follow symlinks)' : 'is not a directory';
      if (!options.overwrite) return void fail(snapPath, new Error(`exists and ${what}`));
      await fs.unlink(parent.handle.entry(name));
    }
    const fresh = !existing?.isDirectory();
    if (fresh) await fs.mkdir(parent.handle.entry(name), { mode: 0o700 });
    const handle = await parent.handle.openChild(name);
    const dir: OpenDir = { handle, users: 1, fresh, snapPath };
    try {
      // In a directory others can write to, the new directory could be swapped before it was opened.
      if (fresh && !parent.fresh && myUid !== undefined && (await fstat(handle.fd)).uid !== myUid) throw new Error('was replaced while it was being created');
    } catch (err) {
      handle.close();
      throw err;
    }
    if (fresh && filter.takes(snapPath)) dir.finish = node;
    return dir;
  };

  const restoreEntry = async (dir: OpenDir, node: TreeNode, snapPath: string, depth: number): Promise<void> => {
    const name = nameBytes(node);
    // In a directory this restore created, nothing can be in the way: skip the lookup.
    const existing = dir.fresh ? undefined : await fs.lstat(dir.handle.entry(name), { bigint: true }).catch(() => undefined);
    if (node.type === 'dir') {
      if (depth >= MAX_DEPTH) return fail(snapPath, new Error(`refused: directories nested deeper than ${MAX_DEPTH} levels`));
      const child = await enterDir(dir, name, node, snapPath, existing);
      if (!child) return;
      summary.dirsRestored++;
      await walk(child, node, snapPath, depth + 1);
      return;
    }
    if (existing && !options.overwrite) {
      if (node.type === 'file') {
        summary.filesSkipped++;
        progress.filesDone++;
        progress.bytesDone += node.size;
      }
      return;
    }
    if (existing?.isDirectory()) return fail(snapPath, new Error('exists and is a directory'));
    if (node.type === 'symlink') {
      // Where something else could be in the way, the link is made under a fresh name and renamed over it.
      const made = existing ? Buffer.from(`.coffer-restore-${randomBytes(6).toString('hex')}`) : name;
      await fs.symlink(targetBytes(node), dir.handle.entry(made));
      try {
        if (chown) await fs.lchown(dir.handle.entry(made), node.uid, node.gid).catch(() => undefined);
        const mtime = secondsOf(node.mtimeNs);
        await fs.lutimes(dir.handle.entry(made), mtime, mtime);
        if (made !== name) await fs.rename(dir.handle.entry(made), dir.handle.entry(name));
      } catch (err) {
        if (made !== name) await fs.unlink(dir.handle.entry(made)).catch(() => undefined);
        throw err;
      }
      summary.symlinksRestored++;
      return;
    }
    if (node.type !== 'file') {
      const problem = specialFileProblem(node, chown);
      if (problem) return fail(snapPath, new Error(`not restored: ${problem}`));
      await makeSpecialFile(dir.handle, name, node, chown);
      summary.specialFilesRestored++;
      return;
    }
    const linkKey = hardLinkKey(node);
    const source = linkKey === undefined ? undefined : await links.sourceOf(linkKey);
    if (source) {
      await links.link(source, dir.handle, name, existing !== undefined);
      summary.hardLinksRestored++;
      progress.filesDone++;
      progress.bytesDone += node.size;
      return;
    }
    const becomesSource = linkKey !== undefined ? links.claim(linkKey) : undefined;
    await slots.acquire();
    try {
      checkStop();
    } catch (err) {
      slots.release();
      throw err;
    }
    dir.users++;
    const job = writeFileFromBlobs(repo, dir.handle, name, node, {
      fresh: !existing,
      budget,
      decoder,
      chown,
      signal: options.signal,
      onBytes: (n) => {
        progress.bytesDone += n;
        emit();
      },
    })
      .then(
        async () => {
          summary.filesRestored++;
          summary.bytesRestored += node.size;
          // After the owner is set: a chown clears file capabilities.
          if (node.xattrs) for (const problem of writeXattrs(dir.handle.entry(name), node.xattrs)) fail(snapPath, new Error(problem));
          // A source's directory stays open until the end: the other names of the file are linked through it.
          if (becomesSource && (await becomesSource.written(dir, name).catch((err: unknown) => void fail(snapPath, err)))) dir.users++;
        },
        (err: unknown) => {
          becomesSource?.failed();
          fail(snapPath, err);
        },
      )
      .finally(() => {
        progress.filesDone++;
        slots.release();
        running.delete(job);
        return release(dir);
      });
    running.add(job);
  };

  /** Restores the entries of a directory; releases `dir` when its walk is over. */
  const walk = async (dir: OpenDir, dirNode: Pick<TreeNode, 'subtree'>, dirSnapPath: string, depth: number): Promise<void> => {
    try {
      checkStop();
      const tree = await trees.load(dirNode.subtree!);
      for (const bad of tree.refused ?? []) {
        const p = childPath(dirSnapPath, bad.name);
        if (filter.takes(p) || filter.leadsToIncluded(p)) fail(p, new Error(`refused: ${bad.reason}; not restored`));
      }
      for (const node of tree.nodes) {
        const snapPath = childPath(dirSnapPath, node.name);
        const wanted = node.type === 'dir' ? filter.leadsToIncluded(snapPath) : filter.takes(snapPath);
        if (!wanted) continue;
        try {
          await restoreEntry(dir, node, snapPath, depth);
        } catch (err) {
          if (err instanceof VaultError && err.code === 'ABORTED') throw err;
          fail(snapPath, err);
        }
      }
    } finally {
      await release(dir);
    }
  };

  await countTotals(trees, snapshot.tree, '/', filter, progress);
  await fs.mkdir(targetRoot, { recursive: true });
  const root: OpenDir = { handle: await DirHandle.openTarget(targetRoot), users: 1, fresh: false, snapPath: '/' };
  const decoder = new DecodePool(repo.key);
  try {
    await walk(root, { subtree: snapshot.tree }, '/', 0);
    while (running.size) await Promise.all([...running]);
    checkStop();
  } finally {
    await Promise.allSettled([...running]);
    for (const held of links.heldDirs()) await release(held);
    await decoder.close();
  }
  emit(true);
  return { snapshotId: snapshot.id, ...summary, errors, durationMs: Date.now() - started };
}

/** Counts what the restore will write, for progress; a tree that cannot be read is reported by the walk. */
async function countTotals(trees: TreeLoader, treeId: string, dirPath: string, filter: PathFilter, progress: RestoreProgress, depth = 0): Promise<void> {
  const tree = await trees.load(treeId).catch(() => undefined);
  if (!tree || depth >= MAX_DEPTH) return;
  for (const node of tree.nodes) {
    const p = childPath(dirPath, node.name);
    if (node.type === 'dir' && filter.leadsToIncluded(p)) await countTotals(trees, node.subtree!, p, filter, progress, depth + 1);
    else if (node.type === 'file' && filter.takes(p)) {
      progress.filesTotal++;
      progress.bytesTotal += node.size;
    }
  }
}

function childPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}
