import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ApiError, parseBody, serverWords } from './api-error.js';

it("reads the server's own words from v2 and v3 error bodies and short texts, and nothing from the rest", { timeout: 5_000 }, () => {
  assert.equal(serverWords({ message: 'Bad request.', errors: ['name is required.', 'limit must be a number.'] }), 'Bad request. name is required. limit must be a number.');
  assert.equal(serverWords({ message: 'Not found.' }), 'Not found.');
  assert.equal(serverWords({ errors: [{ detail: 'The app is invalid.', title: 'CF-Invalid' }, { title: 'CF-Other' }] }), 'The app is invalid.; CF-Other');
  assert.equal(serverWords('  upstream timed out \n'), 'upstream timed out');
  assert.equal(serverWords(`<html>${'x'.repeat(400)}</html>`), undefined, 'a long page from a proxy');
  assert.equal(serverWords(''), undefined);
  assert.equal(serverWords(undefined), undefined);
  assert.equal(serverWords({ errors: [] }), undefined);
});

it('parses a body as JSON when it is JSON, else keeps the text', { timeout: 5_000 }, () => {
  assert.deepEqual(parseBody('{"message":"x"}'), { message: 'x' });
  assert.equal(parseBody('plain words'), 'plain words');
  assert.equal(parseBody(''), undefined);
});

it("names the request and the answer, with the server's words kept apart", { timeout: 5_000 }, () => {
  const error = ApiError.forRequest('PATCH', 'http://api.example/v2/1/backups/2?x=1', 409, { message: 'The backup has ended.' });
  assert.equal(error.message, 'PATCH /v2/1/backups/2: HTTP 409 The backup has ended.');
  assert.equal(error.serverMessage, 'The backup has ended.');
  assert.equal(error.status, 409);
  assert.equal(error.name, 'ApiError');
  assert.equal(ApiError.forRequest('GET', 'http://api.example/v2/1/agents', 500, undefined).message, 'GET /v2/1/agents: HTTP 500');
});
