import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sendWithToken, type TokenSource } from './token-refresh.js';

function tokens(): TokenSource & { refused: string[] } {
  let current = 'old';
  const refused: string[] = [];
  return {
    refused,
    token: async () => current,
    refresh: async (token) => {
      refused.push(token);
      current = 'new';
      return current;
    },
  };
}

it('a 401 gets a fresh token and one more try; the answer to that try is final', { timeout: 5_000 }, async () => {
  const source = tokens();
  const sent: string[] = [];
  const response = await sendWithToken(source, async (token) => (sent.push(token), new Response(null, { status: token === 'new' ? 204 : 401 })));
  assert.equal(response.status, 204);
  assert.deepEqual(sent, ['old', 'new']);
  assert.deepEqual(source.refused, ['old'], 'refresh is told which token was refused');
  const stillRefused: string[] = [];
  const again = await sendWithToken(tokens(), async (token) => (stillRefused.push(token), new Response(null, { status: 401 })));
  assert.equal(again.status, 401);
  assert.deepEqual(stillRefused, ['old', 'new'], 'no third try');
});

it('any other answer is returned as it is, without a refresh', { timeout: 5_000 }, async () => {
  const source = tokens();
  for (const status of [200, 403, 500]) assert.equal((await sendWithToken(source, async () => new Response(null, { status }))).status, status);
  assert.deepEqual(source.refused, []);
});
