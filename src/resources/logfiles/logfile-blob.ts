import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError, badRequest } from '../../errors/app-error.js';
import { TooLargeError, type BlobStore } from '../../storage/blob-store.js';

export const LOGFILE_MAX_BYTES = 64 * 1024 * 1024;
const GZIP_MAGIC = [0x1f, 0x8b];

/** The blob key of an agent's log file (with the local directory: its path under the data directory). */
export function logfileBlobPath(agentId: string, logfileId: string): string {
  return `logfiles/${agentId}/${logfileId}.gz`;
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
      head.push(...chunk.subarray(0, GZIP_MAGIC.length - head.length));
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
 * Stores the upload under its key in the blob store, checked on the way (size limit, gzip magic). The store puts
 * it in place atomically: a reader sees the old file or the whole new one, never a part.
 */
export async function writeLogfileBlob(blobs: BlobStore, key: string, body: Readable, limit = LOGFILE_MAX_BYTES): Promise<number> {
  const counter = guard(limit);
  // The pipeline ends the request stream when the guard refuses the body; the store reads the guarded bytes.
  const flowing = pipeline(body, counter).catch(() => undefined);
  try {
    return await blobs.put(key, counter, { limit });
  } catch (err) {
    counter.destroy();
    if (err instanceof TooLargeError) throw tooLarge();
    throw err;
  } finally {
    await flowing;
  }
}

export async function removeLogfileBlob(blobs: BlobStore, key: string | null): Promise<void> {
  if (key) await blobs.remove(key);
}

/** Every log file of an agent (when the agent is deleted). */
export async function removeAgentLogfiles(blobs: BlobStore, agentId: string): Promise<void> {
  for (const blob of await blobs.list(`logfiles/${agentId}/`)) await blobs.remove(blob.key);
}
