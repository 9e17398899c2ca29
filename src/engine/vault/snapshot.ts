/** Plaintext of a `snapshots/<id>` file. */
export interface SnapshotFile {
  version: 1;
  time: string;
  host: string;
  username: string;
  paths: string[];
  tags: string[];
  /** Hex id of the snapshot this one was compared with. */
  parent?: string;
  /** Id of the root tree blob (the tree of `/`). */
  tree: string;
  summary: SnapshotSummary;
}

export interface SnapshotSummary {
  filesNew: number;
  filesChanged: number;
  filesUnmodified: number;
  dirs: number;
  totalFiles: number;
  totalBytes: number;
  /** Plaintext bytes of blobs this backup added. */
  dataAdded: number;
  /** Bytes of packs this backup wrote (compressed, sealed). */
  dataAddedPacked: number;
  errors: number;
  durationMs: number;
}

/** What the engine hands out about a snapshot. */
export interface SnapshotInfo extends Omit<SnapshotFile, 'version' | 'parent'> {
  /** Stable positive integer id (first 48 bits of `hash`), the `snapshot_id` of the API. */
  id: number;
  /** Full hex id: the name of the snapshot file. */
  hash: string;
  parent?: { id: number; hash: string };
}

export function numericSnapshotId(hash: string): number {
  return parseInt(hash.slice(0, 12), 16) || 1;
}

export function snapshotInfo(hash: string, file: SnapshotFile): SnapshotInfo {
  const { version: _version, parent, ...rest } = file;
  return { ...rest, id: numericSnapshotId(hash), hash, ...(parent ? { parent: { id: numericSnapshotId(parent), hash: parent } } : {}) };
}
