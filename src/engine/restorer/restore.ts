import type { BigIntStats } from 'node:fs';
import fs from 'node:fs/promises';
import { localPath, PathFilter } from '../archiver/path-filter.js';
import type { FileError } from '../archiver/backup-types.js';
import { abortError, VaultError } from '../errors.js';
import type { Repository } from '../repository/repository.js';
import { Semaphore } from '../semaphore.js';
import { findSnapshot, loadSnapshots } from '../vault/snapshot-store.js';
import { joinPath, nameBytes, targetBytes, type TreeNode } from '../vault/tree.js';
import { TreeLoader } from '../vault/tree-loader.js';
import { ByteBudget } from './byte-budget.js';
import { DecodePool } from './decode-pool.js';
import { writeFileFromBlobs } from './file-writer.js';
import type { RestoreOptions, RestoreProgress, RestoreSummary } from './restore-types.js';

const FILES_IN_FLIGHT = 8;
/** Blobs loaded but not yet written, over all files: bounds memory whatever the chunk sizes. */
const BYTES_IN_FLIGHT = 64 * 1024 * 1024;

interface PlannedDir {
  dest: Buffer;
  node: TreeNode;
}

/**
 * Restores a snapshot (or the parts the filters select) below `target`. Directories are created first, files
 * written concurrently, and directory modes and times applied last, deepest first, so writing children does
 * not disturb them. A file that cannot be restored exactly is reported and left out; the rest goes on.
 */
export async function runRestore(repo: Repository, options: RestoreOptions): Promise<RestoreSummary> {
  const started = Date.now();
  const snapshot = findSnapshot(await loadSnapshots(repo), options.snapshot);
  const filter = new PathFilter(options.inclusions ?? [], options.exclusions ?? []);
  const targetRoot = Buffer.from(options.target ? localPath(options.target) : '/');
  const trees = new TreeLoader(repo);
  const chown = process.getuid?.() === 0;
  const errors: FileError[] = [];
  const progress: RestoreProgress = { filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0, errors: 0 };
  const summary = { filesRestored: 0, bytesRestored: 0, dirsRestored: 0, symlinksRestored: 0, filesSkipped: 0 };
  const dirsToFinish: PlannedDir[] = [];
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

  await countTotals(trees, snapshot.tree, '/', filter, progress);
  await fs.mkdir(targetRoot, { recursive: true });

  const restoreEntry = async (dir: Buffer, node: TreeNode, snapPath: string, dirIsFresh: boolean): Promise<void> => {
    const name = nameBytes(node);
    const dest = joinPath(dir, name);
    // In a directory this restore created, nothing can be in the way: skip the lookup.
    const existing = dirIsFresh ? undefined : await fs.lstat(dest, { bigint: true }).catch(() => undefined);
    if (node.type === 'dir') {
      if (existing && !existing.isDirectory()) {
        if (!options.overwrite) return fail(snapPath, new Error('exists and is not a directory'));
        await fs.rm(dest, { force: true });
      }
      const fresh = !existing?.isDirectory();
      if (fresh) await fs.mkdir(dest, { mode: 0o700 });
      await walk(dest, node, snapPath, fresh);
      if (filter.takes(snapPath)) dirsToFinish.push({ dest, node });
      summary.dirsRestored++;
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
    if (node.type === 'symlink') {
      if (existing) await removeExisting(dest, existing);
      await fs.symlink(targetBytes(node), dest);
      if (chown) await fs.lchown(dest, node.uid, node.gid).catch(() => undefined);
      const mtime = Number(BigInt(node.mtimeNs)) / 1e9;
      await fs.lutimes(dest, mtime, mtime);
      summary.symlinksRestored++;
      return;
    }
    if (existing?.isDirectory()) return fail(snapPath, new Error('exists and is a directory'));
    await slots.acquire();
    checkStop();
    const job = writeFileFromBlobs(repo, dir, name, node, {
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
        () => {
          summary.filesRestored++;
          summary.bytesRestored += node.size;
        },
        (err: unknown) => fail(snapPath, err),
      )
      .finally(() => {
        progress.filesDone++;
        slots.release();
        running.delete(job);
      });
    running.add(job);
  };

  const walk = async (dir: Buffer, dirNode: Pick<TreeNode, 'subtree'>, dirSnapPath: string, dirIsFresh: boolean): Promise<void> => {
    checkStop();
    const tree = await trees.load(dirNode.subtree!);
    for (const node of tree.nodes) {
      const snapPath = childPath(dirSnapPath, node.name);
      const wanted = node.type === 'dir' ? filter.leadsToIncluded(snapPath) : filter.takes(snapPath);
      if (!wanted) continue;
      try {
        await restoreEntry(dir, node, snapPath, dirIsFresh);
      } catch (err) {
        if (err instanceof VaultError && err.code === 'ABORTED') throw err;
        fail(snapPath, err);
      }
    }
  };

  const decoder = new DecodePool(repo.key);
  try {
    await walk(targetRoot, { subtree: snapshot.tree }, '/', false);
    while (running.size) await Promise.all([...running]);
    checkStop();
    for (const { dest, node } of dirsToFinish.reverse()) {
      try {
        if (chown) await fs.lchown(dest, node.uid, node.gid).catch(() => undefined);
        await fs.chmod(dest, node.mode);
        const mtime = Number(BigInt(node.mtimeNs)) / 1e9;
        await fs.utimes(dest, mtime, mtime);
      } catch (err) {
        fail(dest.toString(), err);
      }
    }
  } finally {
    await Promise.allSettled([...running]);
    await decoder.close();
  }
  emit(true);
  return { snapshotId: snapshot.id, ...summary, errors, durationMs: Date.now() - started };
}

async function countTotals(trees: TreeLoader, treeId: string, dirPath: string, filter: PathFilter, progress: RestoreProgress): Promise<void> {
  for (const node of (await trees.load(treeId)).nodes) {
    const p = childPath(dirPath, node.name);
    if (node.type === 'dir' && node.subtree && filter.leadsToIncluded(p)) await countTotals(trees, node.subtree, p, filter, progress);
    else if (node.type === 'file' && filter.takes(p)) {
      progress.filesTotal++;
      progress.bytesTotal += node.size;
    }
  }
}

function childPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

async function removeExisting(dest: Buffer, st: BigIntStats): Promise<void> {
  if (st.isDirectory()) throw new Error('exists and is a directory');
  await fs.rm(dest, { force: true });
}
