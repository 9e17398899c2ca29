import type { Repository } from '../repository/repository.js';
import { loadSnapshots } from '../vault/snapshot-store.js';

export interface VaultStats {
  snapshots: number;
  packs: number;
  /** Every file of the vault (packs, index, snapshots, keys, config, locks). */
  totalBytes: number;
  packBytes: number;
  blobs: number;
  dataBlobs: number;
  treeBlobs: number;
  /** Plaintext size of all unique blobs. */
  uniqueBytes: number;
  /** Their compressed, sealed size inside packs. */
  storedBytes: number;
  /** uniqueBytes / storedBytes. */
  compressionRatio: number;
  /** Sum over snapshots of the file bytes each one holds (what restoring them all would write). */
  restoreBytes: number;
}

export async function runStats(repo: Repository): Promise<VaultStats> {
  const files = await repo.backend.list('');
  const snapshots = await loadSnapshots(repo);
  let uniqueBytes = 0;
  let storedBytes = 0;
  for (const b of repo.index.allBlobs()) {
    uniqueBytes += b.rawLength;
    storedBytes += b.length;
  }
  return {
    snapshots: snapshots.length,
    packs: repo.index.packIds().length,
    totalBytes: files.reduce((s, f) => s + f.size, 0),
    packBytes: files.filter((f) => f.name.startsWith('data/')).reduce((s, f) => s + f.size, 0),
    blobs: repo.index.blobCount(),
    dataBlobs: repo.index.blobCount('data'),
    treeBlobs: repo.index.blobCount('tree'),
    uniqueBytes,
    storedBytes,
    compressionRatio: storedBytes ? uniqueBytes / storedBytes : 1,
    restoreBytes: snapshots.reduce((s, x) => s + x.summary.totalBytes, 0),
  };
}
