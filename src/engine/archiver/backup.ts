import os from 'node:os';
import { VaultError } from '../errors.js';
import type { ArchiveRepository } from './archive-repository.js';
import type { SnapshotFile } from '../vault/snapshot.js';
import { findSnapshot, loadSnapshots } from '../vault/snapshot-store.js';
import { numericSnapshotId } from '../vault/snapshot.js';
import { Archiver, noRootsError } from './archiver.js';
import type { BackupOptions, BackupSummary } from './backup-types.js';
import { ChunkWorkerPool } from './chunk-worker-pool.js';
import { BackupFilter } from './backup-filter.js';
import { localRules, type PathRule } from './path-filter.js';
import { scanTotals } from './scanner.js';
import { BackupState } from './tree-walk-state.js';

/**
 * Runs one backup (the caller holds a shared lock). Packs are flushed and indexed before the snapshot file is written, so
 * a snapshot never refers to data that is not on storage; an interrupted backup leaves packs that the next one
 * indexes and reuses.
 */
export async function runBackup(repo: ArchiveRepository, options: BackupOptions): Promise<BackupSummary> {
  const started = Date.now();
  const rules: PathRule[] = localRules([...(options.paths ?? []).map((p) => ({ type: 'folder' as const, path: p })), ...(options.inclusions ?? [])]);
  if (!rules.length) throw new VaultError('INVALID_ARGUMENT', 'nothing to back up: give at least one path or inclusion');
  const roots = [...new Set(rules.map((r) => r.path))].sort();
  const filter = new BackupFilter(options.exclusions);
  const host = options.host ?? os.hostname();

  {
    await repo.indexUnlistedPacks();
    const snapshots = await loadSnapshots(repo);
    const parent =
      options.parent === null ? undefined : options.parent !== undefined ? findSnapshot(snapshots, options.parent) : [...snapshots].reverse().find((s) => s.host === host && sameList(s.paths, roots));

    const state = new BackupState(options.onProgress);
    const pool = new ChunkWorkerPool(repo, options.signal);
    const scan = scanTotals(roots, filter, state, options.signal);
    let tree: string | undefined;
    let failure: unknown;
    try {
      const result = await new Archiver(repo, pool, filter, state, options.signal).run(roots, parent?.tree);
      if (result.rootsFound === 0) throw noRootsError(roots);
      tree = result.tree;
    } catch (err) {
      failure = err;
    }
    // Whatever was written is stored and indexed even when the run failed or was stopped, so that work is
    // reused next time. Only then may a snapshot refer to it.
    await pool.flush().catch((err: unknown) => (failure ??= err));
    await pool.close();
    await scan;
    await repo.flush().catch((err: unknown) => (failure ??= err));
    if (failure !== undefined || tree === undefined) throw failure;
    state.emit(true);

    const summary = {
      filesNew: state.filesNew,
      filesChanged: state.filesChanged,
      filesUnmodified: state.filesUnmodified,
      dirs: state.dirs,
      totalFiles: state.filesNew + state.filesChanged + state.filesUnmodified,
      totalBytes: state.progress.bytesDone,
      dataAdded: state.dataAdded,
      dataAddedPacked: repo.bytesWritten,
      errors: state.errors.length,
      durationMs: Date.now() - started,
    };
    const file: SnapshotFile = {
      version: 1,
      time: (options.time ?? new Date()).toISOString(),
      host,
      username: safeUsername(),
      paths: roots,
      tags: options.tags ?? [],
      ...(parent ? { parent: parent.hash } : {}),
      tree,
      summary,
    };
    const hash = await repo.saveJsonFile('snapshots', file);
    return { ...summary, snapshotId: numericSnapshotId(hash), snapshotHash: hash, ...(parent ? { parentId: parent.id } : {}), errors: state.errors };
  }
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function safeUsername(): string {
  try {
    return os.userInfo().username;
  } catch {
    return '';
  }
}
