import assert from 'node:assert/strict';
import { it } from 'node:test';
import { fetchWithRetry, isFinalStatus } from './retry.js';

const quick = { attempts: 4, baseDelayMs: 1, maxDelayMs: 2 };

it('retries server errors, 429 and network failures, and returns the first final answer', async () => {
  const answers: (number | Error)[] = [503, new TypeError('fetch failed'), 429, 204];
  let calls = 0;
  const response = await fetchWithRetry(async () => {
    const next = answers[calls++];
    if (next instanceof Error) throw next;
    return new Response(null, { status: next });
  }, quick);
  assert.equal(response.status, 204);
  assert.equal(calls, 4);
});

it('does not retry a 4xx answer', async () => {
  let calls = 0;
  const response = await fetchWithRetry(async () => (calls++, new Response('no', { status: 409 })), quick);
  assert.equal(response.status, 409);
  assert.equal(calls, 1);
  assert.equal(isFinalStatus(404), true);
  assert.equal(isFinalStatus(408), false);
  assert.equal(isFinalStatus(500), false);
});

it('gives up after the last attempt with the last answer or error', async () => {
  let calls = 0;
  assert.equal((await fetchWithRetry(async () => (calls++, new Response(null, { status: 500 })), quick)).status, 500);
  assert.equal(calls, 4);
  await assert.rejects(
    fetchWithRetry(async () => Promise.reject(new TypeError('fetch failed')), quick),
    /fetch failed/,
  );
});

it('with a time window, keeps trying while the window lasts and no longer', async () => {
  let calls = 0;
  const started = Date.now();
  await assert.rejects(
    fetchWithRetry(async () => (calls++, Promise.reject(new TypeError('fetch failed'))), { attempts: Number.POSITIVE_INFINITY, baseDelayMs: 5, maxDelayMs: 10, withinMs: 150 }),
    /fetch failed/,
  );
  const took = Date.now() - started;
  assert.ok(calls >= 5, `${calls} attempts`);
  assert.ok(took <= 400, `gave up after ${took} ms`);
  // A server back within the window: the call succeeds.
  let tries = 0;
  const back = await fetchWithRetry(async () => (++tries < 4 ? new Response(null, { status: 503 }) : new Response('ok')), {
    attempts: Number.POSITIVE_INFINITY,
    baseDelayMs: 5,
    maxDelayMs: 10,
    withinMs: 5_000,
  });
  assert.equal(await back.text(), 'ok');
});
