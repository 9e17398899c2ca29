import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SLICE_BYTES, TokenBucket } from './token-bucket.js';

async function pass(bucket: TokenBucket, bytes: number): Promise<number> {
  const started = performance.now();
  for (let sent = 0; sent < bytes; sent += SLICE_BYTES) await bucket.take(Math.min(SLICE_BYTES, bytes - sent));
  return performance.now() - started;
}

describe('token bucket', { timeout: 20_000 }, () => {
  it('lets bytes through at its rate, after a burst of a quarter second', async () => {
    const bucket = new TokenBucket();
    bucket.setRate(2_000_000);
    const ms = await pass(bucket, 3_000_000);
    // 3 MB at 2 MB/s: 1.5 s, less the quarter-second burst it may start with.
    assert.ok(ms >= 1200 && ms <= 1900, `${ms} ms`);
  });

  it('no rate: no waiting; a new rate applies to the next slice', async () => {
    const bucket = new TokenBucket();
    assert.ok((await pass(bucket, 50_000_000)) < 200);
    bucket.setRate(100_000);
    const slow = pass(bucket, 2_000_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    bucket.setRate(null);
    const ms = await slow;
    assert.ok(ms < 600, `lifting the limit released the waiting transfer: ${ms} ms`);
  });

  it('an aborted wait throws', async () => {
    const bucket = new TokenBucket();
    bucket.setRate(10_000);
    await assert.rejects(bucket.take(SLICE_BYTES, AbortSignal.timeout(50)));
  });
});
