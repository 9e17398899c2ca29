import fs from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { ApiError } from '../../net/api-error.js';
import type { JobRuntime } from './job-runtime.js';
import { LogfileState } from '../../domain/job-states.js';

/** The server keeps up to 64 MiB per log file; only the newest part of a larger log is sent. */
const MAX_LOG_BYTES_READ = 256 * 1024 * 1024;
const MAX_GZIP_BYTES = 60 * 1024 * 1024;

export interface LogfileWork {
  id: string;
  uploadUrl: string;
}

export function logfileWorkFromEvent(event: Record<string, any>): LogfileWork | undefined {
  const link = (event.links as { href: string; rel: string }[] | undefined)?.find((l) => l.rel === 'logfile');
  if (!link || typeof event.request_id !== 'string') return undefined;
  return { id: event.request_id, uploadUrl: link.href };
}

/** Uploads the agent's own log, gzip-compressed, to the link of the `logfile_upload` event: started → completed. */
export async function runLogfileJob(rt: JobRuntime, work: LogfileWork): Promise<void> {
  const url = rt.api.agentUrl('logfiles', work.id);
  try {
    await rt.api.patch(url, [{ op: 'replace', path: '/state', value: LogfileState.started }]);
  } catch (err) {
    // 409: the log file is completed already (a repeated logfile_upload); 404: it was deleted.
    if (err instanceof ApiError && (err.status === 409 || err.status === 404)) return;
    throw err;
  }
  const gzipped = await gzipTail(rt.logFile);
  rt.log.info({ logfile: work.id, bytes: gzipped.length }, 'uploading log file');
  await rt.api.call('PUT', work.uploadUrl, { raw: gzipped, contentType: 'application/gzip' });
  await rt.api.patch(url, [{ op: 'replace', path: '/state', value: LogfileState.completed }]);
}

async function gzipTail(file: string): Promise<Buffer> {
  const size = await fs.promises.stat(file).then(
    (s) => s.size,
    () => 0,
  );
  const parts: Buffer[] = [];
  let total = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      total += chunk.length;
      if (total > MAX_GZIP_BYTES) return done(new Error('the compressed log is larger than the server accepts'));
      parts.push(chunk);
      done();
    },
  });
  const source = size === 0 ? [Buffer.from('')] : fs.createReadStream(file, { start: Math.max(0, size - MAX_LOG_BYTES_READ) });
  await pipeline(source, createGzip(), sink);
  return Buffer.concat(parts);
}
