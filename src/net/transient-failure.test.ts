import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ApiError } from './api-error.js';
import { isTransientFailure } from './transient-failure.js';

it('tells a server or network outage from a failure retrying cannot fix', { timeout: 5_000 }, () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  assert.equal(isTransientFailure(new TypeError('fetch failed', { cause: refused })), true);
  assert.equal(isTransientFailure(ApiError.forRequest('PATCH', 'http://x/v2/1/backups/2', 503, { message: 'stopping' })), true);
  assert.equal(isTransientFailure(new ApiError(502, 'vault data/ab: HTTP 502 bad gateway')), true);
  assert.equal(isTransientFailure(new ApiError(429, 'slow down')), true);
  assert.equal(isTransientFailure(new ApiError(0, 'cannot reach http://x: ECONNREFUSED')), true, 'no answer at all');
  assert.equal(isTransientFailure(ApiError.forRequest('PATCH', 'http://x/v2/1/backups/2', 409, { message: 'ended' })), false);
  assert.equal(isTransientFailure(new ApiError(403, 'vault data/ab: HTTP 403 forbidden')), false);
  assert.equal(isTransientFailure(new ApiError(200, 'short read of data/ab: 3 of 9 bytes')), false);
  assert.equal(isTransientFailure(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })), false);
  assert.equal(isTransientFailure(new Error('wrong password')), false);
});
