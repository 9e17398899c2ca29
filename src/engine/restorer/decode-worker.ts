import { createHash } from 'node:crypto';
import fs from 'node:fs';
import zlib from 'node:zlib';
import { parentPort, workerData } from 'node:worker_threads';
import { open } from '../crypto/blob-cipher.js';

/**
 * Runs in a worker thread during a restore: authenticates, decompresses and hash-checks one blob, then writes
 * it at its offset into the file descriptor the main thread opened (descriptors are shared by all threads of
 * the process). A block of zeros is not written, leaving a hole. Nothing is written unless the blob verified.
 */
export interface DecodeRequest {
  job: number;
  sealed: Uint8Array;
  id: string;
  rawLength: number;
  compressed: boolean;
  fd: number;
  position: number;
}

export type DecodeReply = { job: number; zero: boolean } | { job: number; error: string; code?: string };

const key = Buffer.from((workerData as { key: Uint8Array }).key);
const port = parentPort!;
let zeros = Buffer.alloc(1024 * 1024);

port.on('message', (req: DecodeRequest) => {
  const short = req.id.slice(0, 12);
  try {
    const plain = open(key, Buffer.from(req.sealed.buffer, req.sealed.byteOffset, req.sealed.byteLength), `blob ${short}`);
    let raw: Buffer;
    if (req.compressed) {
      const size = Math.max(req.rawLength, 64);
      try {
        raw = zlib.brotliDecompressSync(plain, { maxOutputLength: size, chunkSize: size });
      } catch {
        throw Object.assign(new Error(`blob ${short} does not decompress`), { code: 'CORRUPT' });
      }
    } else {
      raw = plain;
    }
    if (raw.length !== req.rawLength || createHash('sha256').update(raw).digest('hex') !== req.id) {
      throw Object.assign(new Error(`blob ${short} does not match its hash`), { code: 'CORRUPT' });
    }
    if (zeros.length < raw.length) zeros = Buffer.alloc(raw.length);
    const zero = raw.equals(zeros.subarray(0, raw.length));
    if (!zero) {
      let done = 0;
      while (done < raw.length) done += fs.writeSync(req.fd, raw, done, raw.length - done, req.position + done);
    }
    port.postMessage({ job: req.job, zero } satisfies DecodeReply);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const corrupt = e.code === 'CORRUPT' || e.name === 'IntegrityError';
    port.postMessage({ job: req.job, error: e.message, code: corrupt ? 'CORRUPT' : e.code } satisfies DecodeReply);
  }
});
