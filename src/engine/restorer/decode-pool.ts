import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { IntegrityError } from '../errors.js';
import type { BlobLocation } from '../repository/blob-index.js';
import { startEngineWorker, transferable } from '../worker-start.js';
import type { DecodeReply, DecodeRequest } from './decode-worker.js';

interface Pending {
  resolve: (raw: Buffer) => void;
  reject: (err: Error) => void;
  worker: { worker: Worker; active: number };
}

/** Worker threads that turn sealed blobs back into verified plaintext, so restores use every core. */
export class DecodePool {
  private readonly workers: Array<{ worker: Worker; active: number }> = [];
  private readonly pending = new Map<number, Pending>();
  private nextJob = 1;

  constructor(key: Buffer, size = Math.max(1, os.availableParallelism())) {
    for (let i = 0; i < size; i++) {
      const entry = { worker: startEngineWorker(import.meta.url, 'decode-worker', { key: new Uint8Array(key) }), active: 0 };
      entry.worker.on('message', (reply: DecodeReply) => this.onReply(reply));
      entry.worker.on('error', (err) => {
        for (const [job, p] of this.pending) if (p.worker === entry) this.settle(job, err);
      });
      this.workers.push(entry);
    }
  }

  decode(sealed: Buffer, loc: BlobLocation): Promise<Buffer> {
    const entry = this.workers.reduce((a, b) => (b.active < a.active ? b : a));
    const job = this.nextJob++;
    entry.active++;
    return new Promise<Buffer>((resolve, reject) => {
      this.pending.set(job, { resolve, reject, worker: entry });
      const { data, transfer } = transferable(sealed);
      const req: DecodeRequest = { job, sealed: data, id: loc.id, rawLength: loc.rawLength, compressed: loc.compressed };
      entry.worker.postMessage(req, transfer);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }

  private onReply(reply: DecodeReply): void {
    if ('error' in reply) this.settle(reply.job, new IntegrityError(reply.error));
    else this.settle(reply.job, undefined, Buffer.from(reply.raw.buffer, reply.raw.byteOffset, reply.raw.byteLength));
  }

  private settle(job: number, err?: Error, raw?: Buffer): void {
    const p = this.pending.get(job);
    if (!p) return;
    this.pending.delete(job);
    p.worker.active--;
    if (err) p.reject(err);
    else p.resolve(raw!);
  }
}
