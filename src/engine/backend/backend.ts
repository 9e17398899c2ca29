import type { Readable } from 'node:stream';

/**
 * The storage a vault lives on. It knows nothing of blobs, encryption or dedup: it stores named files.
 *
 * Names are `config` or `<kind>/<id>` where kind is one of `keys`, `data`, `index`, `snapshots`, `locks`
 * and id is made of [A-Za-z0-9_.-]. Every backend must pass `runBackendConformance`.
 */
export interface VaultBackend {
  /** Human readable location, for messages. */
  readonly location: string;
  /** Stores a whole file atomically: readers see the old content, or nothing, or the whole new content. */
  save(name: string, data: Buffer | Readable): Promise<void>;
  /** Reads a file, or `length` bytes from `offset`. A range past the end fails. Missing → BackendNotFoundError. */
  load(name: string, range?: ByteRange): Promise<Buffer>;
  /** Size of a file. Missing → BackendNotFoundError. */
  stat(name: string): Promise<FileInfo>;
  /** Every file whose name starts with `prefix` (e.g. `data/`), in no particular order. */
  list(prefix: string): Promise<FileInfo[]>;
  /** Deletes a file; deleting a missing file succeeds (removal is idempotent so interrupted work can be redone). */
  remove(name: string): Promise<void>;
  /** Releases resources (open handles, connections). */
  close(): Promise<void>;
}

export interface ByteRange {
  offset: number;
  length: number;
}

export interface FileInfo {
  name: string;
  size: number;
}

export const FILE_KINDS = ['keys', 'data', 'index', 'snapshots', 'locks'] as const;
export type FileKind = (typeof FILE_KINDS)[number];

/** An id never starts with a dot: `data/..x` would otherwise name a directory `..` by its first two characters. */
const NAME_PATTERN = /^(config|(keys|data|index|snapshots|locks)\/[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127})$/;

export function isValidFileName(name: string): boolean {
  return NAME_PATTERN.test(name);
}

export function assertValidFileName(name: string): void {
  if (!isValidFileName(name)) throw new TypeError(`invalid vault file name: ${JSON.stringify(name)}`);
}

/**
 * Where a vault file lies, as path segments under the vault's root: the one layout of every backend that stores
 * files by path (a local directory, the server's blob store). Packs are spread over 256 sub-folders of `data/` by
 * the first two characters of their id, to keep folders small.
 */
export function vaultFileSegments(name: string): string[] {
  assertValidFileName(name);
  if (name === 'config') return ['config'];
  const [kind, id] = name.split('/') as [string, string];
  return kind === 'data' ? ['data', dataFolderOf(id), id] : [kind, id];
}

/** The vault file name at these segments (the inverse of vaultFileSegments), or null for anything else. */
export function vaultFileNameAt(segments: readonly string[]): string | null {
  const [kind, folder, id] = segments;
  const name = kind === 'data' ? (segments.length === 3 && folder === dataFolderOf(id!) ? `data/${id}` : null) : segments.join('/');
  return name !== null && isValidFileName(name) ? name : null;
}

function dataFolderOf(id: string): string {
  return id.slice(0, 2).padEnd(2, '_');
}
