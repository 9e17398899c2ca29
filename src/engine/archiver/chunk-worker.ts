import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { chunkBuffer, readChunksSync, windowSize } from '../chunker/chunk-reader.js';
import { FastCdc } from '../chunker/fastcdc.js';
import { blobId, encodeBlob } from '../repository/blob-codec.js';
import { transferable } from '../worker-start.js';
import type { ChunkWorkerData, FromWorker, ToWorker } from './worker-protocol.js';

/**
 * Runs in a worker thread: reads a file, chunks it, hashes each chunk and asks the main thread whether the
 * vault needs it; needed chunks are compressed and sealed here and sent back. The main thread only packs.
 * Reads block this thread (it has nothing else to do) and keep the process's libuv pool free for the main
 * thread. Several files are in progress at once so that waiting for an answer never idles the thread.
 */
const data = workerData as ChunkWorkerData;
const key = Buffer.from(data.key);
const chunker = new FastCdc(data.chunker);
const READ_SIZE = 1024 * 1024;
const port = parentPort!;
const decisions = new Map<string, (store: boolean) => void>();
const cancelled = new Set<number>();
/** Large read windows are reused: allocating one per file costs page faults and GC time. */
const freeWindows: Buffer[] = [];

port.on('message', (msg: ToWorker) => {
  if (msg.op === 'file') {
    void processFile(msg.job, Buffer.from(msg.path.buffer, msg.path.byteOffset, msg.path.byteLength));
  } else if (msg.op === 'decision') {
    const k = `${msg.job}:${msg.seq}`;
    const resolve = decisions.get(k);
    decisions.delete(k);
    resolve?.(msg.store);
  } else if (msg.op === 'cancel') {
    cancelled.add(msg.job);
    for (const [k, resolve] of decisions) {
      if (k.startsWith(`${msg.job}:`)) {
        decisions.delete(k);
        resolve(false);
      }
    }
  }
});

function post(msg: FromWorker, transfer?: ArrayBuffer[]): void {
  port.postMessage(msg, transfer);
}

class Cancelled extends Error {
  readonly code = 'ABORTED';
}

async function processFile(job: number, path: Buffer): Promise<void> {
  let fd: number | undefined;
  let window: Buffer | undefined;
  try {
    fd = fs.openSync(path, 'r');
    const size = fs.fstatSync(fd).size;
    let chunks: Iterable<Buffer>;
    if (size < chunker.minSize) {
      // Small file (the common case): one exact read; the loop below still notices if it grew meanwhile.
      const whole = Buffer.allocUnsafe(size + 1);
      let got = 0;
      while (got < whole.length) {
        const n = fs.readSync(fd, whole, got, whole.length - got, null);
        if (n === 0) break;
        got += n;
      }
      if (got > size) {
        window = freeWindows.pop() ?? Buffer.allocUnsafe(windowSize(chunker, READ_SIZE));
        chunks = readChunksSync(fd, chunker, window, READ_SIZE);
      } else {
        chunks = chunkBuffer(whole.subarray(0, got), chunker);
      }
    } else {
      window = freeWindows.pop() ?? Buffer.allocUnsafe(windowSize(chunker, READ_SIZE));
      chunks = readChunksSync(fd, chunker, window, READ_SIZE);
    }
    const ids: string[] = [];
    let total = 0;
    let seq = 0;
    for (const chunk of chunks) {
      if (cancelled.has(job)) throw new Cancelled('cancelled');
      const id = blobId(chunk);
      const mySeq = seq++;
      const decided = new Promise<boolean>((resolve) => decisions.set(`${job}:${mySeq}`, resolve));
      post({ op: 'chunk', job, seq: mySeq, id, size: chunk.length });
      // The window is not touched while this file waits: other files use their own windows.
      if (await decided) {
        if (cancelled.has(job)) throw new Cancelled('cancelled');
        const blob = encodeBlob(key, 'data', chunk, id);
        const { data: sealed, transfer } = transferable(blob.sealed);
        post({ op: 'blob', job, seq: mySeq, id, sealed, rawLength: blob.rawLength, compressed: blob.compressed }, transfer);
      }
      ids.push(id);
      total += chunk.length;
    }
    post({ op: 'done', job, ids, size: total });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    post({ op: 'error', job, message: e.message, code: e.code });
  } finally {
    cancelled.delete(job);
    if (fd !== undefined) fs.closeSync(fd);
    if (window) freeWindows.push(window);
  }
}
