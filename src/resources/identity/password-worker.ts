import { scryptSync } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

/** Runs in a password thread: one scrypt at a time, off the libuv pool that file I/O uses. */
export interface DeriveRequest {
  job: number;
  password: string;
  salt: Uint8Array;
  keylen: number;
  N: number;
  r: number;
  p: number;
}

export type DeriveReply = { job: number; key: Uint8Array } | { job: number; error: string };

const port = parentPort!;
port.on('message', (req: DeriveRequest) => {
  try {
    const key = scryptSync(req.password, req.salt, req.keylen, { N: req.N, r: req.r, p: req.p, maxmem: 256 * req.N * req.r + 1024 * 1024 });
    port.postMessage({ job: req.job, key: new Uint8Array(key) } satisfies DeriveReply);
  } catch (err) {
    port.postMessage({ job: req.job, error: (err as Error).message } satisfies DeriveReply);
  }
});
