import type { ChunkerParams } from '../chunker/fastcdc.js';

export interface ChunkWorkerData {
  key: Uint8Array;
  chunker: ChunkerParams;
}

export type ToWorker =
  | { op: 'file'; job: number; path: Uint8Array }
  | { op: 'decision'; job: number; seq: number; store: boolean }
  | { op: 'cancel'; job: number };

export type FromWorker =
  | { op: 'chunk'; job: number; seq: number; id: string; size: number }
  | { op: 'blob'; job: number; seq: number; id: string; sealed: Uint8Array; rawLength: number; compressed: boolean }
  | { op: 'done'; job: number; ids: string[]; size: number }
  | { op: 'error'; job: number; message: string; code?: string };
