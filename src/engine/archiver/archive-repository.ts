import type { BlobIndex } from '../repository/blob-index.js';
import type { Repository } from '../repository/repository.js';
import type { SnapshotSource } from '../vault/snapshot-store.js';

/**
 * What a backup uses of the repository, and no more: claiming blobs, storing the packs the chunk workers made,
 * saving tree blobs and the snapshot file, reading the parent's trees. Maintenance (prune, check) uses the rest.
 */
export type ArchiveRepository = SnapshotSource &
  Pick<Repository, 'key' | 'config' | 'bytesWritten' | 'claim' | 'release' | 'waitForRoom' | 'storePack' | 'saveBlob' | 'loadBlob' | 'saveJsonFile' | 'indexUnlistedPacks' | 'flush'> & {
    readonly index: Pick<BlobIndex, 'has'>;
  };
