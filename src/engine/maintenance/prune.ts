import { decodeBlob } from '../repository/blob-codec.js';
import { encodeIndexFile } from '../repository/index-file.js';
import type { PackEntry } from '../repository/pack-format.js';
import { sha256, type Repository } from '../repository/repository.js';
import { IntegrityError, throwIfAborted } from '../errors.js';
import { loadSnapshots } from '../vault/snapshot-store.js';
import { runForget, type ForgetPolicy } from './forget.js';
import { collectUsedBlobs } from './used-blobs.js';

export interface PruneOptions {
  /** Apply this retention policy first (the cleanup job does forget and prune in one run). */
  policy?: ForgetPolicy;
  signal?: AbortSignal;
  onProgress?: (progress: { packsDone: number; packsTotal: number }) => void;
}

export interface PruneResult {
  removedSnapshotIds: number[];
  /** Size of every file in the vault before and after. */
  bytesBefore: number;
  bytesAfter: number;
  packsRemoved: number;
  packsRepacked: number;
  packsWritten: number;
  blobsRemoved: number;
}

const PACKS_PER_FINAL_INDEX = 512;

/**
 * Removes blobs no snapshot needs. Order matters for crash safety: (1) blobs still needed from partly used
 * packs are copied into new packs; (2) a complete new index is written; (3) the old index files are removed;
 * (4) obsolete packs are removed. A crash before (2) leaves extra packs, one between (2) and (3) duplicate index
 * entries, one during (4) unindexed packs: all harmless, and `check` passes after each.
 */
export async function runPrune(repo: Repository, options: PruneOptions): Promise<PruneResult> {
  const bytesBefore = await vaultBytes(repo);
  const removedSnapshotIds = options.policy ? (await runForget(repo, options.policy)).removedSnapshotIds : [];
  await repo.indexUnlistedPacks();
  const used = await collectUsedBlobs(repo, await loadSnapshots(repo, { strict: true }));
  const oldIndexFiles = [...repo.indexFiles];

  const have = new Set<string>();
  const keepPacks: Array<{ id: string; entries: PackEntry[] }> = [];
  const repack: Array<{ id: string; entries: PackEntry[] }> = [];
  const dropPacks: string[] = [];
  let blobsRemoved = 0;
  for (const packId of repo.index.packIds()) {
    const entries = repo.index.packEntries(packId)!;
    const needed = entries.filter((e) => used.has(e.id) && !have.has(e.id));
    for (const e of needed) have.add(e.id);
    blobsRemoved += entries.length - needed.length;
    if (needed.length === entries.length) keepPacks.push({ id: packId, entries });
    else {
      dropPacks.push(packId);
      if (needed.length) repack.push({ id: packId, entries: needed });
    }
  }
  for (const id of used) {
    if (!have.has(id)) throw new IntegrityError(`blob ${id.slice(0, 12)} is used by a snapshot but stored nowhere; run check, nothing was pruned`);
  }

  const packsBeforeRepack = new Set(repo.index.packIds());
  let packsDone = 0;
  for (const { id: packId, entries } of repack) {
    throwIfAborted(options.signal);
    const pack = await repo.backend.load(`data/${packId}`);
    for (const e of entries) {
      const sealed = pack.subarray(e.offset, e.offset + e.length);
      await decodeBlob(repo.key, sealed, e); // never carry a damaged blob into a new pack (addBlob copies it into the pack)
      await repo.waitForRoom(options.signal);
      repo.addBlob({ id: e.id, type: e.type, sealed, rawLength: e.rawLength, compression: e.compression });
    }
    options.onProgress?.({ packsDone: ++packsDone, packsTotal: repack.length });
  }
  await repo.flush();
  const newPacks = repo.index
    .packIds()
    .filter((id) => !packsBeforeRepack.has(id))
    .map((id) => ({ id, entries: repo.index.packEntries(id)! }));
  const finalPacks = [...keepPacks, ...newPacks];

  const newIndexFiles = new Set<string>();
  for (let i = 0; i < finalPacks.length; i += PACKS_PER_FINAL_INDEX) {
    const sealed = encodeIndexFile(repo.key, finalPacks.slice(i, i + PACKS_PER_FINAL_INDEX));
    const name = `index/${sha256(sealed)}`;
    await repo.saveFile(name, sealed);
    newIndexFiles.add(name);
  }
  for (const name of [...oldIndexFiles, ...repo.indexFiles]) if (!newIndexFiles.has(name)) await repo.backend.remove(name);
  for (const packId of dropPacks) await repo.backend.remove(`data/${packId}`);

  return {
    removedSnapshotIds,
    bytesBefore,
    bytesAfter: await vaultBytes(repo),
    packsRemoved: dropPacks.length,
    packsRepacked: repack.length,
    packsWritten: newPacks.length,
    blobsRemoved,
  };
}

export async function vaultBytes(repo: Repository): Promise<number> {
  return (await repo.backend.list('')).reduce((sum, f) => sum + f.size, 0);
}
