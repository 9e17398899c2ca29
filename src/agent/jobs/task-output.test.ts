import assert from 'node:assert/strict';
import { it } from 'node:test';
import pino from 'pino';
import type { AgentApi } from '../agent-api.js';
import { TaskOutput } from './task-output.js';

function recordingApi(): { api: AgentApi; posts: string[] } {
  const posts: string[] = [];
  const api = {
    v3: (...segments: string[]) => `http://server/v3/${segments.join('/')}`,
    call: async (_method: string, _url: string, options: { raw?: Buffer }) => {
      posts.push(options.raw!.toString());
      return { status: 204, body: undefined, headers: new Headers() };
    },
  } as unknown as AgentApi;
  return { api, posts };
}

const log = pino({ level: 'silent' });

it('sends all output, in order, when there is no rate limit', async () => {
  const { api, posts } = recordingApi();
  const output = new TaskOutput(api, log, 'g1', -1);
  for (let i = 0; i < 100; i++) output.write(Buffer.from(`line ${i}\n`));
  await output.close();
  assert.equal(posts.join(''), Array.from({ length: 100 }, (_, i) => `line ${i}\n`).join(''));
});

it('drops output beyond the log rate and says how much', async () => {
  const { api, posts } = recordingApi();
  const output = new TaskOutput(api, log, 'g2', 10);
  output.write(Buffer.from('0123456789abcdef'));
  output.write(Buffer.from('more'));
  await output.close();
  const sent = posts.join('');
  assert.ok(sent.startsWith('0123456789\n[coffer] log rate limit of 10 bytes/s exceeded: 10 bytes dropped'), sent);
  assert.equal(output.totalBytes, 20);
});
