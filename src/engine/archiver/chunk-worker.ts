import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { chunkBuffer, readChunksSync, windowSize } from '../chunker/chunk-reader.js';
import { FastCdc } from '../chunker/fastcdc.js';
import { blobId, encodeBlob } from '../repository/blob-codec.js';
import { PackWriter } from '../repository/pack-writer.js';
import type { ChunkWorkerData, FromWorker, ToWorker } from './worker-protocol.js';

/**
 * Runs in a worker thread: reads a file, chunks it, hashes each chunk and asks the main thread whether the
 * vault needs it; needed chunks are compressed, sealed and packed here. The main thread stores finished packs.
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
const smallBuffers: Buffer[] = [];

/**
 * Blobs are packed here, in the thread that sealed them: the main thread receives whole packs (their buffer is
 * transferred, then handed back for reuse) instead of one buffer per blob, and hashes nothing.
 */
const packer = new PackWriter(key, data.packSize, (pack) => {
  // Only a buffer that owns its whole ArrayBuffer can be transferred.
  const body = pack.body.byteOffset === 0 && pack.body.byteLength === pack.body.buffer.byteLength ? pack.body : Buffer.from(pack.body);
  post({ op: 'pack', id: pack.id, body, used: pack.used, header: pack.header, entries: pack.entries }, [body.buffer as ArrayBuffer]);
});
/**
 * Blob ids this thread knows the vault has or will have (answers received, hints from the previous version
 * of a file): such chunks need no question to the main thread. An id only ever becomes known, never unknown,
 * during a backup. Bounded: when full it starts over, which only costs questions.
 */
const knownIds = new Set<string>();
const KNOWN_LIMIT = 200_000;

function rememberKnown(id: string): void {
  if (knownIds.size >= KNOWN_LIMIT) knownIds.clear();
  knownIds.add(id);
}

port.on('message', (msg: ToWorker) => {
  if (msg.op === 'flush') {
    packer.close();
    post({ op: 'flushed' });
  } else if (msg.op === 'recycle') {
    packer.recycle(Buffer.from(msg.buffer.buffer, msg.buffer.byteOffset, msg.buffer.byteLength));
  } else if (msg.op === 'file') {
    for (const id of msg.known ?? []) rememberKnown(id);
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
  let small: Buffer | undefined;
  try {
    // O_NONBLOCK: if the file was swapped for a FIFO since the walk saw it, opening must not hang.
    fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw Object.assign(new Error('no longer a regular file'), { code: 'ENOTFILE' });
    const size = st.size;
    let chunks: Iterable<Buffer>;
    if (size < chunker.minSize) {
      // Small file (the common case): one read into a reused buffer (allocating one per file leaves garbage
      // for the GC to find late, which shows as memory); the loop still notices if the file grew meanwhile.
      const whole = smallBuffers.pop() ?? Buffer.allocUnsafe(chunker.minSize + 1);
      small = whole;
      let got = 0;
      while (got < size + 1) {
        const n = fs.readSync(fd, whole, got, size + 1 - got, null);
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
    let added = 0;
    let seq = 0;
    for (const chunk of chunks) {
      if (cancelled.has(job)) throw new Cancelled('cancelled');
      const id = blobId(chunk);
      ids.push(id);
      total += chunk.length;
      if (knownIds.has(id)) continue;
      const mySeq = seq++;
      const decided = new Promise<boolean>((resolve) => decisions.set(`${job}:${mySeq}`, resolve));
      post({ op: 'chunk', job, seq: mySeq, id, size: chunk.length });
      // Encode while the main thread answers: most chunks of a file not seen before are new, and the answer
      // then costs no waiting. (The window is not touched meanwhile: other files use their own windows.)
      const blob = encodeBlob(key, 'data', chunk, id, data.compressionLevel);
      const store = await decided;
      if (cancelled.has(job)) throw new Cancelled('cancelled');
      if (store) {
        packer.add(blob);
        added += blob.rawLength;
      }
      rememberKnown(id);
    }
    post({ op: 'done', job, ids, size: total, added });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    post({ op: 'error', job, message: e.message, code: e.code });
  } finally {
    cancelled.delete(job);
    if (fd !== undefined) fs.closeSync(fd);
    if (window) freeWindows.push(window);
    if (small) smallBuffers.push(small);
  }
}
