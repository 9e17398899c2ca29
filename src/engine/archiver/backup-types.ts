import type { SnapshotSummary } from '../vault/snapshot.js';
import type { SnapshotRef } from '../vault/snapshot-store.js';
import type { Exclusion } from './exclusion.js';
import type { PathRule } from './path-filter.js';

export interface BackupOptions {
  /** Absolute paths to back up (folders or files). Merged with `inclusions`. */
  paths?: string[];
  inclusions?: PathRule[];
  /** Exact paths (relative ones are taken from the current directory), patterns and the other kinds of Exclusion. */
  exclusions?: Exclusion[];
  host?: string;
  tags?: string[];
  /** Snapshot to compare with; default: the latest one with the same host and paths; null: read everything. */
  parent?: SnapshotRef | null;
  onProgress?: (progress: BackupProgress) => void;
  signal?: AbortSignal;
  /** Snapshot time (default now). */
  time?: Date;
}

export interface BackupProgress {
  filesDone: number;
  /** Grows while the scan runs; final once `scanDone`. */
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  /** Plaintext bytes of new chunks so far. */
  bytesAdded: number;
  scanDone: boolean;
  errors: number;
}

export interface FileError {
  path: string;
  reason: string;
}

export interface BackupSummary extends Omit<SnapshotSummary, 'errors'> {
  snapshotId: number;
  snapshotHash: string;
  parentId?: number;
  errors: FileError[];
}
