import assert from 'node:assert/strict';
import { it } from 'node:test';
import pino from 'pino';
import type { AgentApi } from './agent-api.js';
import type { AgentClock } from './clock.js';
import type { ConfigurationCache } from './configuration-document.js';
import { BackupScheduler } from './scheduler.js';

it('a scheduled backup that failed for a transient cause starts again after the delay, as often as configured', async () => {
  const created: string[] = [];
  const api = { v2: (...s: string[]) => `http://x/v2/1/${s.join('/')}`, post: async () => ({ status: 201, body: { id: `b${created.push('b')}` }, headers: new Headers() }) } as unknown as AgentApi;
  const started: [string, number][] = [];
  const scheduler = new BackupScheduler(
    api,
    {} as ConfigurationCache,
    {} as AgentClock,
    pino({ level: 'silent' }),
    async (id, _configuration, attempt) => {
      started.push([id, attempt]);
    },
    { retries: 2, delayMs: 20 },
  );
  assert.equal(scheduler.retryAfterTransientFailure('c1', 0), true);
  await new Promise((resolve) => setTimeout(resolve, 80));
  assert.deepEqual(started, [['b1', 1]]);
  assert.equal(scheduler.retryAfterTransientFailure('c1', 1), true);
  await new Promise((resolve) => setTimeout(resolve, 80));
  assert.deepEqual(started, [
    ['b1', 1],
    ['b2', 2],
  ]);
  assert.equal(scheduler.retryAfterTransientFailure('c1', 2), false, 'the tries are used up');
  assert.equal(scheduler.retryAfterTransientFailure('c1', 0), true);
  scheduler.stop();
  await new Promise((resolve) => setTimeout(resolve, 80));
  assert.equal(started.length, 2, 'a stopped agent starts nothing');
});
