import assert from 'node:assert/strict';
import { it } from 'node:test';
import pino from 'pino';
import { ApiError } from './api-error.js';
import type { AgentApi } from './agent-api.js';
import type { AgentClock } from './clock.js';
import type { ConfigurationCache } from './configuration-document.js';
import { BackupScheduler } from './scheduler.js';
import { isTransientFailure } from './transient-error.js';
import { VaultHttpError } from './vault-http-backend.js';

it('tells a server or network outage from a failure retrying cannot fix', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  assert.equal(isTransientFailure(new TypeError('fetch failed', { cause: refused })), true);
  assert.equal(isTransientFailure(new ApiError(503, 'PATCH', 'http://x/v2/1/backups/2', 'stopping')), true);
  assert.equal(isTransientFailure(new VaultHttpError(502, 'bad gateway')), true);
  assert.equal(isTransientFailure(new ApiError(409, 'PATCH', 'http://x/v2/1/backups/2', 'ended')), false);
  assert.equal(isTransientFailure(new VaultHttpError(403, 'forbidden')), false);
  assert.equal(isTransientFailure(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })), false);
  assert.equal(isTransientFailure(new Error('wrong password')), false);
});

it('a scheduled backup that failed for a transient cause starts again after the delay, as often as configured', async () => {
  const created: string[] = [];
  const api = { v2: (...s: string[]) => `http://x/v2/1/${s.join('/')}`, post: async () => ({ status: 201, body: { id: `b${created.push('b')}` }, headers: new Headers() }) } as unknown as AgentApi;
  const started: [string, number][] = [];
  const scheduler = new BackupScheduler(api, {} as ConfigurationCache, {} as AgentClock, pino({ level: 'silent' }), async (id, _configuration, attempt) => {
    started.push([id, attempt]);
  }, { retries: 2, delayMs: 20 });
  assert.equal(scheduler.retryAfterTransientFailure('c1', 0), true);
  await new Promise((resolve) => setTimeout(resolve, 80));
  assert.deepEqual(started, [['b1', 1]]);
  assert.equal(scheduler.retryAfterTransientFailure('c1', 1), true);
  await new Promise((resolve) => setTimeout(resolve, 80));
  assert.deepEqual(started, [['b1', 1], ['b2', 2]]);
  assert.equal(scheduler.retryAfterTransientFailure('c1', 2), false, 'the tries are used up');
  assert.equal(scheduler.retryAfterTransientFailure('c1', 0), true);
  scheduler.stop();
  await new Promise((resolve) => setTimeout(resolve, 80));
  assert.equal(started.length, 2, 'a stopped agent starts nothing');
});
