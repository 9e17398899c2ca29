import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { decodeBlobSync } from '../repository/blob-codec.js';
import type { Compression } from '../repository/compression.js';

/**
 * Runs in a worker thread during a restore: authenticates, decompresses and hash-checks blobs, and writes
 * them into restored files. Nothing is written unless the blob verified; a block of zeros becomes a hole.
 *
 * `blob` requests write one blob at its offset into a file descriptor the main thread opened (descriptors are
 * shared by all threads of the process). `file` requests restore a whole one-blob file (the common small
 * file) here from start to finish, sparing the main thread a round of file system calls per file.
 */
export interface BlobInfo {
  sealed: Uint8Array;
  id: string;
  rawLength: number;
  compression: Compression;
}

export type DecodeRequest =
  | ({ op: 'blob'; job: number; fd: number; position: number } & BlobInfo)
  | ({ op: 'file'; job: number; dir: Uint8Array; name: Uint8Array; fresh: boolean; mode: number; uid: number; gid: number; chown: boolean; mtime: number } & BlobInfo);

export type DecodeReply = { job: number; zero: boolean } | { job: number; error: string; code?: string };

const key = Buffer.from((workerData as { key: Uint8Array }).key);
const port = parentPort!;
let zeros = Buffer.alloc(1024 * 1024);

function verified(req: BlobInfo): Buffer {
  return decodeBlobSync(key, Buffer.from(req.sealed.buffer, req.sealed.byteOffset, req.sealed.byteLength), req);
}

function isZero(raw: Buffer): boolean {
  if (zeros.length < raw.length) zeros = Buffer.alloc(raw.length);
  return raw.equals(zeros.subarray(0, raw.length));
}

function writeAt(fd: number, raw: Buffer, position: number): void {
  let done = 0;
  while (done < raw.length) done += fs.writeSync(fd, raw, done, raw.length - done, position + done);
}

function joinPath(dir: Buffer, name: Buffer): Buffer {
  return dir.length && dir[dir.length - 1] === 0x2f ? Buffer.concat([dir, name]) : Buffer.concat([dir, Buffer.from('/'), name]);
}

function restoreSmallFile(req: Extract<DecodeRequest, { op: 'file' }>): void {
  const raw = verified(req);
  const dir = Buffer.from(req.dir.buffer, req.dir.byteOffset, req.dir.byteLength);
  const finalPath = joinPath(dir, Buffer.from(req.name.buffer, req.name.byteOffset, req.name.byteLength));
  const writePath = req.fresh ? finalPath : joinPath(dir, Buffer.from(`.coffer-restore-${randomBytes(6).toString('hex')}`));
  const fd = fs.openSync(writePath, 'wx', 0o600);
  let closed = false;
  try {
    if (isZero(raw)) fs.ftruncateSync(fd, raw.length);
    else writeAt(fd, raw, 0);
    if (req.chown) fs.fchownSync(fd, req.uid, req.gid);
    fs.fchmodSync(fd, req.mode);
    fs.futimesSync(fd, req.mtime, req.mtime);
    fs.closeSync(fd);
    closed = true;
    if (writePath !== finalPath) fs.renameSync(writePath, finalPath);
  } catch (err) {
    if (!closed) fs.closeSync(fd);
    fs.rmSync(writePath, { force: true });
    throw err;
  }
}

port.on('message', (req: DecodeRequest) => {
  try {
    if (req.op === 'file') {
      restoreSmallFile(req);
      port.postMessage({ job: req.job, zero: false } satisfies DecodeReply);
      return;
    }
    const raw = verified(req);
    const zero = isZero(raw);
    if (!zero) writeAt(req.fd, raw, req.position);
    port.postMessage({ job: req.job, zero } satisfies DecodeReply);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const corrupt = e.code === 'CORRUPT' || e.name === 'IntegrityError';
    port.postMessage({ job: req.job, error: e.message, code: corrupt ? 'CORRUPT' : e.code } satisfies DecodeReply);
  }
});
