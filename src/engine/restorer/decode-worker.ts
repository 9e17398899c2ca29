import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import { parentPort, workerData } from 'node:worker_threads';
import { open } from '../crypto/blob-cipher.js';
import { transferable } from '../worker-start.js';

/** Runs in a worker thread: authenticates, decompresses and hash-checks blobs for a restore. */
export interface DecodeRequest {
  job: number;
  sealed: Uint8Array;
  id: string;
  rawLength: number;
  compressed: boolean;
}

export type DecodeReply = { job: number; raw: Uint8Array } | { job: number; error: string };

const key = Buffer.from((workerData as { key: Uint8Array }).key);
const port = parentPort!;

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
        throw new Error(`blob ${short} does not decompress`);
      }
    } else {
      raw = plain;
    }
    if (raw.length !== req.rawLength || createHash('sha256').update(raw).digest('hex') !== req.id) {
      throw new Error(`blob ${short} does not match its hash`);
    }
    const { data, transfer } = transferable(raw);
    port.postMessage({ job: req.job, raw: data } satisfies DecodeReply, transfer);
  } catch (err) {
    port.postMessage({ job: req.job, error: (err as Error).message } satisfies DecodeReply);
  }
});
