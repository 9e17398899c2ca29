import fs from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { readChunks } from '../chunker/chunk-reader.js';
import { FastCdc } from '../chunker/fastcdc.js';
import { blobId, encodeBlob } from '../repository/blob-codec.js';
import type { ChunkWorkerData, FromWorker, ToWorker } from './worker-protocol.js';

/**
 * Runs in a worker thread: reads a file, chunks it, hashes each chunk and asks the main thread whether the
 * vault needs it; needed chunks are compressed and sealed here and sent back. The main thread only packs.
 */
const data = workerData as ChunkWorkerData;
const key = Buffer.from(data.key);
const chunker = new FastCdc(data.chunker);
const port = parentPort!;
const decisions = new Map<string, (store: boolean) => void>();
const cancelled = new Set<number>();

port.on('message', (msg: ToWorker) => {
  if (msg.op === 'file') {
    void processFile(msg.job, Buffer.from(msg.path));
  } else if (msg.op === 'decision') {
    const resolve = decisions.get(`${msg.job}:${msg.seq}`);
    decisions.delete(`${msg.job}:${msg.seq}`);
    resolve?.(msg.store);
  } else if (msg.op === 'cancel') {
    cancelled.add(msg.job);
    for (const [k, resolve] of decisions) if (k.startsWith(`${msg.job}:`)) {
      decisions.delete(k);
      resolve(false);
    }
  }
});

function post(msg: FromWorker, transfer?: ArrayBuffer[]): void {
  port.postMessage(msg, transfer);
}

async function processFile(job: number, path: Buffer): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(path, 'r');
    const ids: string[] = [];
    let size = 0;
    let seq = 0;
    for await (const chunk of readChunks(handle, chunker)) {
      if (cancelled.has(job)) throw Object.assign(new Error('cancelled'), { code: 'ABORTED' });
      const id = blobId(chunk);
      const mySeq = seq++;
      const decided = new Promise<boolean>((resolve) => decisions.set(`${job}:${mySeq}`, resolve));
      post({ op: 'chunk', job, seq: mySeq, id, size: chunk.length });
      if (await decided) {
        if (cancelled.has(job)) throw Object.assign(new Error('cancelled'), { code: 'ABORTED' });
        const blob = encodeBlob(key, 'data', chunk, id);
        const owned = blob.sealed.byteOffset === 0 && blob.sealed.byteLength === blob.sealed.buffer.byteLength;
        const sealed = owned ? blob.sealed : Buffer.from(blob.sealed);
        post({ op: 'blob', job, seq: mySeq, id, sealed, rawLength: blob.rawLength, compressed: blob.compressed }, [sealed.buffer as ArrayBuffer]);
      }
      ids.push(id);
      size += chunk.length;
    }
    post({ op: 'done', job, ids, size });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    post({ op: 'error', job, message: e.message, code: e.code });
  } finally {
    cancelled.delete(job);
    await handle?.close().catch(() => undefined);
  }
}
