import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { assertValidFileName, type ByteRange, type FileInfo, type VaultBackend } from '../engine/backend/backend.js';
import { BackendNotFoundError, BackendRangeError } from '../engine/backend/errors.js';
import { ApiError, parseBody, serverWords } from '../net/api-error.js';
import { DEFAULT_RETRY, fetchWithRetry, type RetryNotice, type RetryPolicy } from '../net/retry.js';
import { sendWithToken, type TokenSource } from '../net/token-refresh.js';
import { currentJobTransfers } from './job-transfers.js';
import { anyLimited, readThrottled, throttled, type Bandwidth, type TokenBucket } from './token-bucket.js';

export interface VaultHttpBackendOptions {
  /** The vault link the server gives (`…/vaults/<vault_id>`). */
  url: string;
  tokens: TokenSource;
  retry?: RetryPolicy;
  /** Told before each retry (the agent logs it). */
  onRetry?: (what: string, notice: RetryNotice) => void;
  /**
   * The agent's bandwidth limits: file bodies pass through these buckets (none: unlimited), and, inside a job, through
   * the buckets of the job's configuration as well (currentJobTransfers).
   */
  bandwidth?: Bandwidth;
}

/** The server's answer to an upload request: a presigned URL into object storage, or "send it to me". */
type UploadGrant = { direct: false } | { direct: true; method: 'PUT'; url: string; headers: Record<string, string> };

/**
 * The engine's backend over the Coffer server's vault endpoint (`/vaults/{id}/files/{name}`). The agent encrypts
 * before anything reaches this class; the server only stores bytes. When the server keeps vaults in object storage
 * it hands out presigned URLs: uploads go straight to the storage (`POST …/uploads/{name}` first) and reads follow
 * the server's 307, without the agent's token and without the bytes passing through the server.
 *
 * Every call is retried on 5xx and network errors (fetchWithRetry, by the policy given: the agent gives its outage
 * window). Retrying is safe: the vault is append-only and a file's name is the hash of its content, so when a save
 * is refused because the file exists with the same size (an earlier attempt whose answer was lost), the save has in
 * fact happened; a DELETE of a file already gone answers 404, which is success here.
 */
export class VaultHttpBackend implements VaultBackend {
  readonly location: string;
  private readonly retry: RetryPolicy;
  /** Whether the server hands out direct upload URLs; learned from the first save. */
  private direct: boolean | undefined;

  constructor(private readonly options: VaultHttpBackendOptions) {
    this.location = options.url.replace(/\/+$/, '');
    this.retry = options.retry ?? DEFAULT_RETRY;
  }

  async save(name: string, data: Buffer | Readable): Promise<void> {
    assertValidFileName(name);
    // A stream can be sent only once; the engine's packs are in memory already, so gathering them costs one copy
    // and makes the upload retryable.
    const body = Buffer.isBuffer(data) ? data : await collect(data);
    return this.paced((signal) => this.saveOnce(name, body, signal));
  }

  private async saveOnce(name: string, body: Buffer, signal: AbortSignal | undefined): Promise<void> {
    if (this.direct === false) return this.saveThroughServer(name, body, signal);
    // Signed into the URL: the storage refuses bytes that changed on the way (and S3 Object Lock requires it).
    const md5 = createHash('md5').update(body).digest('base64');
    // A presigned URL expires: one that is refused after a long outage is asked for again.
    for (let attempt = 1; ; attempt++) {
      const grant = await this.call('POST', name, { signal }, `uploads/${name}?size=${body.length}&md5=${encodeURIComponent(md5)}`);
      if (grant.status === 403) return this.acceptExisting(name, body.length, grant);
      await expectOk(grant, name);
      const answer = (await grant.json()) as UploadGrant;
      this.direct = answer.direct;
      if (!answer.direct) return this.saveThroughServer(name, body, signal);
      const response = await fetchWithRetry(
        () => fetch(answer.url, { method: 'PUT', headers: answer.headers, ...this.uploadBody(body, signal), redirect: 'error', signal }),
        this.retry,
        this.retryOptions('PUT', name, signal),
      );
      if (response.ok) {
        await response.body?.cancel();
        return;
      }
      if (response.status === 412) return this.acceptExisting(name, body.length, response);
      if (response.status === 403 && attempt < 3) {
        await response.body?.cancel();
        continue;
      }
      await expectOk(response, name);
    }
  }

  private async saveThroughServer(name: string, body: Buffer, signal: AbortSignal | undefined): Promise<void> {
    const response = await this.call('PUT', name, { headers: { 'content-type': 'application/octet-stream', 'content-length': String(body.length) }, ...this.uploadBody(body, signal), signal });
    if (response.status === 403) return this.acceptExisting(name, body.length, response);
    await expectOk(response, name);
  }

  /** A refused save: fine when the file is there with the size we meant to store (its name is its hash). */
  private async acceptExisting(name: string, size: number, refusal: Response): Promise<void> {
    const existing = name.startsWith('locks/') ? undefined : await this.stat(name).catch(() => undefined);
    if (existing && existing.size === size) {
      await refusal.body?.cancel();
      return;
    }
    await expectOk(refusal, name);
    throw new ApiError(refusal.status, `vault ${name}: HTTP ${refusal.status}`);
  }

  async load(name: string, range?: ByteRange): Promise<Buffer> {
    assertValidFileName(name);
    return this.paced((signal) => this.loadOnce(name, range, signal));
  }

  private async loadOnce(name: string, range: ByteRange | undefined, signal: AbortSignal | undefined): Promise<Buffer> {
    if (range && range.length === 0) {
      // HTTP cannot ask for zero bytes; an empty range is valid when it starts inside the file or at its end.
      const { size } = await this.stat(name);
      if (range.offset > size) throw new BackendRangeError(name, range.offset, range.length, size);
      return Buffer.alloc(0);
    }
    const headers: Record<string, string> = range ? { range: `bytes=${range.offset}-${range.offset + range.length - 1}` } : {};
    let response = await this.call('GET', name, { headers, redirect: 'manual', signal });
    const location = response.status === 307 ? response.headers.get('location') : null;
    if (location) {
      // Object storage: the presigned URL carries the authorization; the agent's token is not sent there.
      await response.body?.cancel();
      response = await fetchWithRetry(() => fetch(location, { headers, redirect: 'error', signal }), this.retry, this.retryOptions('GET', name, signal));
      const total = Number(/\/(\d+)$/.exec(response.headers.get('content-range') ?? '')?.[1] ?? Number.NaN);
      if (range && response.status === 206 && range.offset + range.length > total) {
        await response.body?.cancel();
        throw new BackendRangeError(name, range.offset, range.length, total);
      }
    }
    if (response.status === 416) {
      const size = Number(/\/(\d+)$/.exec(response.headers.get('content-range') ?? '')?.[1] ?? -1);
      await response.body?.cancel();
      throw new BackendRangeError(name, range?.offset ?? 0, range?.length ?? 0, size);
    }
    await expectOk(response, name);
    const body = await readThrottled(response, this.buckets('download'), signal);
    const expected = range ? range.length : Number(response.headers.get('content-length') ?? body.length);
    if (body.length !== expected) throw new ApiError(response.status, `short read of ${name}: ${body.length} of ${expected} bytes`);
    return body;
  }

  async stat(name: string): Promise<FileInfo> {
    assertValidFileName(name);
    const response = await this.call('HEAD', name, {});
    await expectOk(response, name);
    return { name, size: Number(response.headers.get('content-length') ?? 0) };
  }

  async list(prefix: string): Promise<FileInfo[]> {
    const url = `${this.location}/files?prefix=${encodeURIComponent(prefix)}`;
    const response = await this.send('GET', url, {});
    await expectOk(response, `list ${prefix}`, false);
    const body = (await response.json()) as { files: FileInfo[] };
    return body.files.map((f) => ({ name: f.name, size: f.size }));
  }

  async remove(name: string): Promise<void> {
    assertValidFileName(name);
    const response = await this.call('DELETE', name, {});
    if (response.status === 404) {
      await response.body?.cancel();
      return;
    }
    await expectOk(response, name);
  }

  async close(): Promise<void> {}

  /**
   * A file body for fetch: the buffer itself, or, under an upload limit, a stream of slices the bucket lets through
   * (made anew for each attempt, so a retried upload starts from its first byte).
   */
  private uploadBody(body: Buffer, signal?: AbortSignal): { body: RequestInit['body']; duplex?: 'half' } {
    const buckets = this.buckets('upload');
    if (!anyLimited(buckets)) return { body };
    return { body: ReadableStream.from(throttled(body, buckets, signal)) as unknown as RequestInit['body'], duplex: 'half' };
  }

  /**
   * Runs one transfer under the running job's window gate: it starts only while the gate is open, and one in flight
   * when the gate closes is aborted and run again, from the start, once it opens (or ends when the job stops).
   */
  private async paced<T>(transfer: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    const job = currentJobTransfers();
    const gate = job?.gate;
    if (!gate) return transfer(undefined);
    for (;;) {
      await gate.whenOpen(job.signal);
      const closing = gate.closing();
      const signal = job.signal ? AbortSignal.any([closing, job.signal]) : closing;
      try {
        return await transfer(signal);
      } catch (err) {
        if (closing.aborted && !job.signal?.aborted) continue;
        throw err;
      }
    }
  }

  /** The agent's bucket for the direction and, inside a job, its configuration's. */
  private buckets(direction: 'upload' | 'download'): TokenBucket[] {
    const job = currentJobTransfers()?.bandwidth[direction];
    const agent = this.options.bandwidth?.[direction];
    return [agent, job].filter((bucket): bucket is TokenBucket => bucket !== undefined);
  }

  private call(method: string, name: string, init: RequestInit, path = `files/${name}`): Promise<Response> {
    return this.send(method, `${this.location}/${path}`, init);
  }

  private retryOptions(method: string, what: string, signal?: AbortSignal | null) {
    return { signal: signal ?? undefined, onRetry: this.options.onRetry && ((notice: RetryNotice) => this.options.onRetry!(`${method} ${what}`, notice)) };
  }

  /** One request with the agent's token, retried per policy; a 401 refreshes the token and tries once more. */
  private async send(method: string, url: string, init: RequestInit): Promise<Response> {
    // Never followed with the token: a vault read's 307 to object storage is followed by load(), without it.
    const attempt = (token: string) =>
      fetchWithRetry(
        () => fetch(url, { ...init, method, redirect: init.redirect === 'manual' ? 'manual' : 'error', headers: { ...(init.headers as Record<string, string>), 'x-auth-token': token } }),
        this.retry,
        this.retryOptions(method, url, init.signal),
      );
    return sendWithToken(this.options.tokens, attempt);
  }
}

async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(Buffer.isBuffer(part) ? part : Buffer.from(part as Uint8Array));
  return Buffer.concat(parts);
}

/** Throws for a non-2xx answer; on file operations 404 is the engine's not-found, on a listing it means no such vault. */
async function expectOk(response: Response, name: string, fileOperation = true): Promise<void> {
  if (response.ok) return;
  const text = await response.text().catch(() => '');
  if (response.status === 404 && fileOperation) throw new BackendNotFoundError(name);
  const words = serverWords(parseBody(text)) ?? '';
  throw new ApiError(response.status, `vault ${name}: HTTP ${response.status} ${words}`.trim(), words);
}
