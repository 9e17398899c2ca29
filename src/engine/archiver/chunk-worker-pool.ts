import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { abortError } from '../errors.js';
import type { ArchiveRepository } from './archive-repository.js';
import { compressionLevel } from '../repository/vault-config.js';
import { startEngineWorker } from '../worker-start.js';
import type { ChunkWorkerData, FromWorker, ToWorker } from './worker-protocol.js';

export interface FileContent {
  ids: string[];
  size: number;
  /** Plaintext bytes of chunks this file added to the vault. */
  added: number;
}

interface Job {
  worker: PoolWorker;
  claimed: Set<string>;
  /** Bytes already reported through onBytes (chunks the worker asked about). */
  reported: number;
  onBytes?: (n: number) => void;
  resolve: (c: FileContent) => void;
  reject: (e: Error) => void;
}

interface PoolWorker {
  worker: Worker;
  active: number;
  flushed?: () => void;
  failed?: (err: Error) => void;
}

/** Error from reading one file (the backup records it and goes on). */
export class FileReadError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** Worker threads that chunk, hash, compress, seal and pack files for one repository. */
export class ChunkWorkerPool {
  private readonly workers: PoolWorker[] = [];
  private readonly jobs = new Map<number, Job>();
  private nextJob = 1;
  private fatal: Error | undefined;
  private closed = false;

  constructor(
    private readonly repo: ArchiveRepository,
    private readonly signal?: AbortSignal,
    size = Math.max(1, os.availableParallelism()),
  ) {
    const data: ChunkWorkerData = { key: new Uint8Array(repo.key), chunker: repo.config.chunker, packSize: repo.config.packSize, compressionLevel: compressionLevel(repo.config) };
    for (let i = 0; i < size; i++) {
      const pw: PoolWorker = { worker: startEngineWorker(import.meta.url, 'chunk-worker', data), active: 0 };
      pw.worker.on('message', (msg: FromWorker) => this.onMessage(pw, msg));
      pw.worker.on('error', (err) => this.failAll(err));
      this.workers.push(pw);
    }
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** How many files may usefully be in flight at once. */
  get capacity(): number {
    return this.workers.length * 2;
  }

  /** Reads one file; `known` are ids of blobs its previous version had (all in the index), as a hint. */
  processFile(path: Buffer, onBytes?: (n: number) => void, known?: string[]): Promise<FileContent> {
    if (this.fatal) return Promise.reject(this.fatal);
    if (this.signal?.aborted) return Promise.reject(abortError());
    const worker = this.workers.reduce((a, b) => (b.active < a.active ? b : a));
    const job = this.nextJob++;
    worker.active++;
    return new Promise<FileContent>((resolve, reject) => {
      this.jobs.set(job, { worker, claimed: new Set(), reported: 0, onBytes, resolve, reject });
      this.send(worker, { op: 'file', job, path: new Uint8Array(path), ...(known?.length ? { known } : {}) });
    });
  }

  /**
   * Makes every worker close its open pack and waits until those packs are handed over (not yet stored:
   * `repo.flush()` waits for that). Rejects if a worker failed, since its open pack is then lost.
   */
  async flush(): Promise<void> {
    if (this.fatal) throw this.fatal;
    await Promise.all(
      this.workers.map(
        (pw) =>
          new Promise<void>((resolve, reject) => {
            pw.flushed = () => {
              pw.flushed = undefined;
              resolve();
            };
            pw.failed = reject;
            this.send(pw, { op: 'flush' });
          }),
      ),
    );
  }

  private onPack(pw: PoolWorker, msg: Extract<FromWorker, { op: 'pack' }>): void {
    const body = Buffer.from(msg.body.buffer, msg.body.byteOffset, msg.body.byteLength);
    const header = Buffer.from(msg.header.buffer, msg.header.byteOffset, msg.header.byteLength);
    void this.repo.storePack({ id: msg.id, body, used: msg.used, header, entries: msg.entries }).then((stored) => {
      if (stored && !this.closed) pw.worker.postMessage({ op: 'recycle', buffer: body } satisfies ToWorker, [body.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }

  private send(pw: PoolWorker, msg: ToWorker): void {
    pw.worker.postMessage(msg);
  }

  private onMessage(pw: PoolWorker, msg: FromWorker): void {
    if (msg.op === 'pack') return this.onPack(pw, msg);
    if (msg.op === 'flushed') {
      pw.flushed?.();
      return;
    }
    const job = this.jobs.get(msg.job);
    if (!job) return; // finished or cancelled already
    switch (msg.op) {
      case 'chunk':
        job.reported += msg.size;
        job.onBytes?.(msg.size);
        void this.decide(pw, msg.job, job, msg.seq, msg.id);
        break;
      case 'done':
        // Chunks the worker already knew were not asked about: report their bytes now.
        if (msg.size > job.reported) job.onBytes?.(msg.size - job.reported);
        this.finish(msg.job, undefined, { ids: msg.ids, size: msg.size, added: msg.added });
        break;
      case 'error':
        this.finish(msg.job, msg.code === 'ABORTED' ? abortError() : new FileReadError(msg.message, msg.code));
        break;
    }
  }

  private async decide(pw: PoolWorker, jobId: number, job: Job, seq: number, id: string): Promise<void> {
    let store = false;
    if (!this.repo.claim(id)) {
      job.claimed.add(id);
      store = true;
      try {
        await this.repo.waitForRoom(this.signal);
      } catch (err) {
        this.finish(jobId, err as Error);
        store = false;
      }
    }
    if (this.jobs.has(jobId)) this.send(pw, { op: 'decision', job: jobId, seq, store });
  }

  private finish(jobId: number, err?: Error, content?: FileContent): void {
    const job = this.jobs.get(jobId);
    if (!job) return;
    this.jobs.delete(jobId);
    job.worker.active--;
    if (err) {
      for (const id of job.claimed) this.repo.release(id);
      this.send(job.worker, { op: 'cancel', job: jobId });
      job.reject(err);
    } else {
      job.resolve(content!);
    }
  }

  private readonly onAbort = () => {
    for (const jobId of [...this.jobs.keys()]) this.finish(jobId, abortError());
  };

  private failAll(err: Error): void {
    this.fatal = err;
    for (const jobId of [...this.jobs.keys()]) this.finish(jobId, err);
    for (const pw of this.workers) pw.failed?.(err);
  }
}
