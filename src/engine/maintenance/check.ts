import { createHash } from 'node:crypto';
import { isNotFoundError } from '../backend/errors.js';
import { decodeBlob } from '../repository/blob-codec.js';
import { decodeIndexFile } from '../repository/index-file.js';
import type { PackEntry } from '../repository/pack-format.js';
import type { Repository } from '../repository/repository.js';
import { throwIfAborted } from '../errors.js';
import { snapshotInfo, type SnapshotFile } from '../vault/snapshot.js';
import { parseTree } from '../vault/tree.js';

export interface CheckOptions {
  /** Also read every pack and verify every blob's authentication tag and hash. */
  readData?: boolean;
  /**
   * Read and verify only subset `part` of `of` (restic's `--read-data-subset n/t`): a pack belongs to subset
   * (first byte of its id mod `of`) + 1, so running parts 1…of in turn reads every pack once. Ignored with readData.
   */
  readDataSubset?: { part: number; of: number };
  signal?: AbortSignal;
  onProgress?: (progress: { packsDone: number; packsTotal: number }) => void;
}

export interface CheckResult {
  ok: boolean;
  errors: string[];
  /** Harmless leftovers, e.g. packs of an interrupted run that are not indexed yet. */
  warnings: string[];
  snapshots: number;
  packs: number;
  blobs: number;
  bytesRead: number;
  /** Packs whose bytes were read and verified (all with readData, one subset's with readDataSubset, else 0). */
  packsRead: number;
}

/** Whether a pack's bytes are read in this subset: packs go to subsets by the first byte of their (hex) id. */
export function inSubset(packId: string, subset: CheckOptions['readDataSubset']): boolean {
  if (!subset) return false;
  const firstByte = Number.parseInt(packId.slice(0, 2), 16);
  return Number.isFinite(firstByte) && (firstByte % subset.of) + 1 === subset.part;
}

/** Verifies structure (index ↔ packs ↔ snapshots ↔ trees) and, with readData, every byte. Never repairs. */
export async function runCheck(repo: Repository, options: CheckOptions): Promise<CheckResult> {
  const errors: string[] = [];
  const warnings: string[] = [];
  let bytesRead = 0;
  let packsRead = 0;

  // Index files, read one by one so one damaged file is reported rather than fatal.
  // The repository's index is filled here, from the readable files only, so the walk below can use it.
  const index = repo.index;
  for (const f of await repo.backend.list('index/')) {
    try {
      for (const p of decodeIndexFile(repo.key, await repo.backend.load(f.name), f.name)) index.addPack(p.id, p.entries);
    } catch (err) {
      errors.push(`${f.name}: ${message(err)}`);
    }
  }

  const stored = new Map((await repo.backend.list('data/')).map((f) => [f.name.slice('data/'.length), f.size]));
  for (const packId of stored.keys()) {
    if (!index.hasPack(packId)) warnings.push(`pack ${packId} is not indexed (left by an interrupted run; the next backup indexes it, prune removes it if unused)`);
  }

  const packIds = index.packIds();
  let packsDone = 0;
  for (const packId of packIds) {
    throwIfAborted(options.signal);
    const entries = index.packEntries(packId)!;
    const size = stored.get(packId);
    if (size === undefined) {
      errors.push(`pack ${packId} is in the index but missing from storage`);
      continue;
    }
    try {
      const header = await repo.readPackHeader(packId, size);
      if (!sameEntries(header, entries)) errors.push(`pack ${packId}: header does not match the index`);
      if (options.readData || inSubset(packId, options.readDataSubset)) {
        packsRead++;
        const data = await repo.backend.load(`data/${packId}`);
        bytesRead += data.length;
        if (createHash('sha256').update(data).digest('hex') !== packId) errors.push(`pack ${packId}: content does not match its name (damaged)`);
        for (const e of header) {
          try {
            await decodeBlob(repo.key, data.subarray(e.offset, e.offset + e.length), e);
          } catch (err) {
            errors.push(`pack ${packId}: ${e.type} blob ${e.id}: ${message(err)}`);
          }
        }
      }
    } catch (err) {
      errors.push(`pack ${packId}: ${message(err)}`);
    }
    options.onProgress?.({ packsDone: ++packsDone, packsTotal: packIds.length });
  }

  // Snapshots and the trees they reach: every referenced blob must be indexed, every tree readable.
  const seenTrees = new Set<string>();
  const snapshotFiles = await repo.backend.list('snapshots/');
  for (const f of snapshotFiles) {
    let snap: SnapshotFile;
    try {
      snap = await repo.loadJsonFile<SnapshotFile>(f.name);
    } catch (err) {
      errors.push(`${f.name}: ${isNotFoundError(err) ? 'vanished during check' : message(err)}`);
      continue;
    }
    const label = `snapshot ${snapshotInfo(f.name.slice('snapshots/'.length), snap).id}`;
    const visit = async (treeId: string, path: string): Promise<void> => {
      if (seenTrees.has(treeId)) return;
      seenTrees.add(treeId);
      if (!index.has(treeId)) {
        errors.push(`${label}: tree ${treeId.slice(0, 12)} of ${path} is missing`);
        return;
      }
      let tree;
      try {
        tree = parseTree(await repo.loadBlob(treeId));
      } catch (err) {
        errors.push(`${label}: tree of ${path}: ${message(err)}`);
        return;
      }
      for (const bad of tree.refused ?? []) {
        errors.push(`${label}: tree ${treeId.slice(0, 12)} of ${path}: entry ${JSON.stringify(bad.name)} is refused: ${bad.reason}`);
      }
      for (const node of tree.nodes) {
        const child = path === '/' ? `/${node.name}` : `${path}/${node.name}`;
        if (node.type === 'dir') {
          await visit(node.subtree!, child);
        } else if (node.type === 'file') {
          for (const id of node.content ?? []) if (!index.has(id)) errors.push(`${label}: ${child}: data blob ${id.slice(0, 12)} is missing`);
        }
      }
    };
    await visit(snap.tree, '/');
  }

  return { ok: errors.length === 0, errors, warnings, snapshots: snapshotFiles.length, packs: packIds.length, blobs: index.blobCount(), bytesRead, packsRead };
}

function sameEntries(a: PackEntry[], b: PackEntry[]): boolean {
  if (a.length !== b.length) return false;
  const key = (e: PackEntry) => `${e.id}:${e.type}:${e.offset}:${e.length}:${e.rawLength}:${e.compression}`;
  const left = new Set(a.map(key));
  return b.every((e) => left.has(key(e)));
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
