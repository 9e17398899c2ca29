import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError, badRequest } from '../../errors/app-error.js';

export const LOGFILE_MAX_BYTES = 64 * 1024 * 1024;
const GZIP_MAGIC = [0x1f, 0x8b];

/** Where an agent's log file lives, relative to the data directory. */
export function logfileBlobPath(agentId: string, logfileId: string): string {
  return path.join('logfiles', agentId, `${logfileId}.gz`);
}

export function agentLogfileDir(dataDir: string, agentId: string): string {
  return path.join(dataDir, 'logfiles', agentId);
}

export function tooLarge(): AppError {
  return new AppError('payload_too_large', `The log file is larger than the ${LOGFILE_MAX_BYTES / (1024 * 1024)} MiB limit.`, { headers: { connection: 'close' } });
}

/** Counts bytes, refuses more than the limit, and checks the gzip magic number at the start. */
function guard(limit: number): Transform & { bytes: number } {
  let seen = 0;
  const head: number[] = [];
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > limit) return done(tooLarge());
      for (let i = 0; head.length < GZIP_MAGIC.length && i < chunk.length; i++) head.push(chunk[i]);
      if (head.length === GZIP_MAGIC.length && head.some((b, i) => b !== GZIP_MAGIC[i])) return done(badRequest('The log file must be gzip-compressed.'));
      (transform as Transform & { bytes: number }).bytes = seen;
      done(null, chunk);
    },
    flush(done) {
      if (head.length < GZIP_MAGIC.length) return done(badRequest('The log file must be gzip-compressed.'));
      done();
    },
  }) as Transform & { bytes: number };
  transform.bytes = 0;
  return transform;
}

/**
 * Streams the upload to a temporary file beside the target, makes it durable (fsync of the file, then of the
 * directory after the rename) and only then puts it in place: a reader sees the old file or the whole new one.
 */
export async function writeLogfileBlob(dataDir: string, relativePath: string, body: Readable, limit = LOGFILE_MAX_BYTES): Promise<number> {
  const target = path.join(dataDir, relativePath);
  const dir = path.dirname(target);
  await fs.promises.mkdir(dir, { recursive: true });
  const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  const counter = guard(limit);
  try {
    await pipeline(body, counter, fs.createWriteStream(temp, { flags: 'wx' }));
    const handle = await fs.promises.open(temp, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(temp, target);
    const dirHandle = await fs.promises.open(dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
    return counter.bytes;
  } catch (error) {
    await fs.promises.rm(temp, { force: true });
    throw error;
  }
}

export async function removeLogfileBlob(dataDir: string, relativePath: string | null): Promise<void> {
  if (relativePath) await fs.promises.rm(path.join(dataDir, relativePath), { force: true });
}
