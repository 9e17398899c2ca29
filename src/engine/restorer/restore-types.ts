import type { FileError } from '../archiver/backup-types.js';
import type { PathRule } from '../archiver/path-filter.js';
import type { SnapshotRef } from '../vault/snapshot-store.js';

export interface RestoreOptions {
  snapshot: SnapshotRef;
  /** Directory to restore into; each path is recreated below it. Omitted or null: the original locations. */
  target?: string | null;
  /** Snapshot paths to restore (default: everything). */
  inclusions?: PathRule[];
  exclusions?: PathRule[];
  /** Replace existing files and symlinks (default false: leave them and count them as skipped). */
  overwrite?: boolean;
  onProgress?: (progress: RestoreProgress) => void;
  signal?: AbortSignal;
}

export interface RestoreProgress {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  errors: number;
}

export interface RestoreSummary {
  snapshotId: number;
  filesRestored: number;
  bytesRestored: number;
  dirsRestored: number;
  symlinksRestored: number;
  /** Further names of hard-linked files, restored as links to the first. */
  hardLinksRestored: number;
  /** FIFOs and (as root) device nodes. */
  specialFilesRestored: number;
  /** Existing files left alone because `overwrite` was false. */
  filesSkipped: number;
  errors: FileError[];
  durationMs: number;
}
