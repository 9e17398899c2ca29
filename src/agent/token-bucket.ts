/** Most bytes sent or read between two looks at the bucket: small, so a new rate applies within milliseconds. */
export const SLICE_BYTES = 64 * 1024;
/** Longest single wait before the rate is read again. */
const MAX_WAIT_MS = 100;

/**
 * A token bucket in bytes per second, shared by every transfer of one direction (upload or download). The rate can
 * change at any time (`setRate`); null means no limit. A burst of a quarter second (at least one slice) is allowed.
 */
export class TokenBucket {
  private tokens = 0;
  private last = performance.now();
  private bytesPerSecond: number | null = null;

  get rate(): number | null {
    return this.bytesPerSecond;
  }

  setRate(bytesPerSecond: number | null): void {
    const next = bytesPerSecond !== null && Number.isFinite(bytesPerSecond) && bytesPerSecond > 0 ? bytesPerSecond : null;
    if (next === this.bytesPerSecond) return;
    this.refill();
    this.bytesPerSecond = next;
    this.tokens = Math.min(this.tokens, this.capacity());
  }

  /** Waits until `bytes` (at most one slice) may pass. */
  async take(bytes: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      if (this.bytesPerSecond === null) return;
      this.refill();
      if (this.tokens >= bytes) {
        this.tokens -= bytes;
        return;
      }
      const waitMs = Math.min(MAX_WAIT_MS, ((bytes - this.tokens) / this.bytesPerSecond) * 1000);
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, waitMs)));
    }
  }

  private capacity(): number {
    return this.bytesPerSecond === null ? 0 : Math.max(SLICE_BYTES, this.bytesPerSecond / 4);
  }

  private refill(): void {
    const now = performance.now();
    if (this.bytesPerSecond !== null) this.tokens = Math.min(this.capacity(), this.tokens + ((now - this.last) / 1000) * this.bytesPerSecond);
    this.last = now;
  }
}

/** The agent's two buckets: vault uploads and vault downloads. */
export interface Bandwidth {
  upload: TokenBucket;
  download: TokenBucket;
}

export function unlimitedBandwidth(): Bandwidth {
  return { upload: new TokenBucket(), download: new TokenBucket() };
}

/** Waits until every bucket lets `bytes` through, one after the other: the strictest sets the pace. */
export async function takeAll(buckets: readonly TokenBucket[], bytes: number, signal?: AbortSignal): Promise<void> {
  for (const bucket of buckets) await bucket.take(bytes, signal);
}

/** Whether any of the buckets limits anything. */
export function anyLimited(buckets: readonly TokenBucket[]): boolean {
  return buckets.some((bucket) => bucket.rate !== null);
}

/** `data` as a stream of slices, each let through by every bucket. */
export async function* throttled(data: Buffer, buckets: readonly TokenBucket[], signal?: AbortSignal): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < data.length; offset += SLICE_BYTES) {
    const slice = data.subarray(offset, Math.min(data.length, offset + SLICE_BYTES));
    await takeAll(buckets, slice.length, signal);
    yield slice;
  }
}

/** Reads a response body through the buckets. */
export async function readThrottled(response: Response, buckets: readonly TokenBucket[], signal?: AbortSignal): Promise<Buffer> {
  if (!anyLimited(buckets) || !response.body) return Buffer.from(await response.arrayBuffer());
  const parts: Buffer[] = [];
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    for (let offset = 0; offset < chunk.length; offset += SLICE_BYTES) {
      const slice = chunk.subarray(offset, Math.min(chunk.length, offset + SLICE_BYTES));
      await takeAll(buckets, slice.length, signal);
      parts.push(Buffer.from(slice));
    }
  }
  return Buffer.concat(parts);
}
