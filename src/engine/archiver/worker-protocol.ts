import type { ChunkerParams } from '../chunker/fastcdc.js';
import type { PackEntry } from '../repository/pack-format.js';

export interface ChunkWorkerData {
  key: Uint8Array;
  chunker: ChunkerParams;
  packSize: number;
  compressionLevel: number;
}

export type ToWorker =
  /** `known`: ids of blobs the vault already has that this file probably contains (its previous version). */
  | { op: 'file'; job: number; path: Uint8Array; known?: string[] }
  | { op: 'decision'; job: number; seq: number; store: boolean }
  | { op: 'cancel'; job: number }
  /** Close the open pack now (end of a backup). Answered by any `pack`, then `flushed`. */
  | { op: 'flush' }
  /** A pack buffer handed back once its pack is stored, to be filled again. */
  | { op: 'recycle'; buffer: Uint8Array };

export type FromWorker =
  | { op: 'chunk'; job: number; seq: number; id: string; size: number }
  /** A finished pack: `body[0, used)` then `header` is the pack file. */
  | { op: 'pack'; id: string; body: Uint8Array; used: number; header: Uint8Array; entries: PackEntry[] }
  | { op: 'flushed' }
  | { op: 'done'; job: number; ids: string[]; size: number; added: number }
  | { op: 'error'; job: number; message: string; code?: string };
