import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { AppError } from '../../errors/app-error.js';
import { startEngineWorker } from '../../engine/worker-start.js';
import type { DeriveReply, DeriveRequest } from './password-worker.js';

/** Hashes waiting beyond this are refused at once (503) rather than queued without end. */
const MAX_QUEUED = 512;

export interface DeriveParams {
  password: string;
  salt: Buffer;
  keylen: number;
  N: number;
  r: number;
  p: number;
}

interface Job {
  params: DeriveParams;
  /** Called when a thread is free, just before the hash starts; throwing drops the job (e.g. throttled since). */
  beforeRun?: () => void;
  resolve: (key: Buffer) => void;
  reject: (err: Error) => void;
}

/**
 * A small, fixed set of threads for scrypt. node's async scrypt runs on the libuv pool, where a login flood would
 * make every file read and write of the server wait; here it waits only for other password hashes.
 */
export class PasswordPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly running = new Map<number, { worker: Worker; job: Job }>();
  private readonly queue: Job[] = [];
  private nextJob = 1;

  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      const worker = startEngineWorker(import.meta.url, 'password-worker', null);
      worker.unref();
      worker.on('message', (reply: DeriveReply) => this.onReply(worker, reply));
      worker.on('error', (err) => {
        for (const [id, entry] of this.running) if (entry.worker === worker) this.settle(id, err);
      });
      this.idle.push(worker);
      this.workers.push(worker);
    }
  }

  async close(): Promise<void> {
    for (const job of this.queue.splice(0)) job.reject(new AppError('service_unavailable', 'The server is stopping.'));
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  derive(params: DeriveParams, beforeRun?: () => void): Promise<Buffer> {
    if (this.queue.length >= MAX_QUEUED) {
      return Promise.reject(new AppError('service_unavailable', 'Too many logins are waiting; try again shortly.', { headers: { 'retry-after': '2' } }));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ params, beforeRun, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const job = this.queue.shift()!;
      try {
        job.beforeRun?.();
      } catch (err) {
        job.reject(err as Error);
        continue;
      }
      const worker = this.idle.pop()!;
      const id = this.nextJob++;
      this.running.set(id, { worker, job });
      const { password, salt, keylen, N, r, p } = job.params;
      worker.postMessage({ job: id, password, salt: new Uint8Array(salt), keylen, N, r, p } satisfies DeriveRequest);
    }
  }

  private onReply(worker: Worker, reply: DeriveReply): void {
    this.settle(reply.job, 'error' in reply ? new Error(reply.error) : undefined, 'key' in reply ? Buffer.from(reply.key) : undefined);
    this.idle.push(worker);
    // After the caller has seen the result (a failed login is counted before the next queued one is checked).
    setImmediate(() => this.dispatch());
  }

  private settle(id: number, err?: Error, key?: Buffer): void {
    const entry = this.running.get(id);
    if (!entry) return;
    this.running.delete(id);
    if (err) entry.job.reject(err);
    else entry.job.resolve(key!);
  }
}

let shared: PasswordPool | undefined;
let holders = 0;

/** The process's password threads: half the cores, at least one, at most four; started on first use. */
export function passwordPool(): PasswordPool {
  shared ??= new PasswordPool(Math.max(1, Math.min(4, Math.floor(os.availableParallelism() / 2))));
  return shared;
}

/** A running server holds the threads; when the last one stops they end, so the process can exit. */
export function holdPasswordPool(): () => Promise<void> {
  holders++;
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    if (--holders > 0 || !shared) return;
    const pool = shared;
    shared = undefined;
    await pool.close();
  };
}
