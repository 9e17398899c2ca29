import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { IntegrityError } from '../errors.js';
import type { BlobLocation } from '../repository/blob-index.js';
import { startEngineWorker, transferable } from '../worker-start.js';
import type { BlobInfo, DecodeReply, DecodeRequest } from './decode-worker.js';

interface PoolWorker {
  worker: Worker;
  active: number;
}

interface Pending {
  resolve: (result: { zero: boolean }) => void;
  reject: (err: Error) => void;
  worker: PoolWorker;
}

/** Worker threads that verify blobs and write them into restored files, so restores use every core. */
export class DecodePool {
  private readonly workers: PoolWorker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextJob = 1;

  constructor(key: Buffer, size = Math.max(1, os.availableParallelism())) {
    for (let i = 0; i < size; i++) {
      const entry: PoolWorker = { worker: startEngineWorker(import.meta.url, 'decode-worker', { key: new Uint8Array(key) }), active: 0 };
      entry.worker.on('message', (reply: DecodeReply) => this.onReply(reply));
      entry.worker.on('error', (err) => {
        for (const [job, p] of this.pending) if (p.worker === entry) this.settle(job, err);
      });
      this.workers.push(entry);
    }
  }

  /** Verifies the sealed blob and writes its plaintext to `fd` at `position` (a hole if it is all zeros). */
  decodeInto(sealed: Buffer, loc: BlobLocation, fd: number, position: number): Promise<{ zero: boolean }> {
    return this.submit(sealed, (job, blob) => ({ op: 'blob', job, ...blob, fd, position }), loc);
  }

  /** Restores a whole file made of this one blob, in a worker: create, write, owner, mode, times, rename. */
  restoreOneBlobFile(sealed: Buffer, loc: BlobLocation, file: { dir: Buffer; name: Buffer; fresh: boolean; mode: number; uid: number; gid: number; chown: boolean; mtime: number }): Promise<unknown> {
    const dir = new Uint8Array(file.dir);
    const name = new Uint8Array(file.name);
    return this.submit(sealed, (job, blob) => ({ op: 'file', job, ...blob, ...file, dir, name }), loc);
  }

  private submit(sealed: Buffer, build: (job: number, blob: BlobInfo) => DecodeRequest, loc: BlobLocation): Promise<{ zero: boolean }> {
    const entry = this.workers.reduce((a, b) => (b.active < a.active ? b : a));
    const job = this.nextJob++;
    entry.active++;
    return new Promise((resolve, reject) => {
      this.pending.set(job, { resolve, reject, worker: entry });
      const { data, transfer } = transferable(sealed);
      entry.worker.postMessage(build(job, { sealed: data, id: loc.id, rawLength: loc.rawLength, compression: loc.compression }), transfer);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }

  private onReply(reply: DecodeReply): void {
    if (!('error' in reply)) return this.settle(reply.job, undefined, { zero: reply.zero });
    const err = reply.code === 'CORRUPT' ? new IntegrityError(reply.error) : Object.assign(new Error(reply.error), { code: reply.code });
    this.settle(reply.job, err);
  }

  private settle(job: number, err?: Error, result?: { zero: boolean }): void {
    const p = this.pending.get(job);
    if (!p) return;
    this.pending.delete(job);
    p.worker.active--;
    if (err) p.reject(err);
    else p.resolve(result!);
  }
}
