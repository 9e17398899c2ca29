import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PROJECT } from '../helpers/fixtures.js';
import { InProcessAgent } from '../helpers/in-process-agent.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

/*
 * The agent's upload limit with the real agent and real files, measured where the bytes arrive: the server's count
 * of vault bytes received, sampled every 50 ms. 50 MB at 5 MB/s (the 200 MB at 10 MB/s, scaled to keep the
 * suite short: the same rate check, 10 s instead of 20); then a limit changed in the middle of a backup.
 */

const MB = 1_000_000;
const PASSWORD = 'ops-password-123';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let t: TestServer;
let agent: InProcessAgent | undefined;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'coffer-bandwidth-'));

before(async () => {
  t = await startTestServer();
  const user = await t.request('POST', '/admin/users', { body: { username: 'ops', password: PASSWORD, project_id: PROJECT, roles: ['cloudbackup:admin'] } });
  assert.equal(user.status, 201, user.text);
});

after(async () => {
  await agent?.stop().catch(() => undefined);
  await t?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

/** A configuration of one folder holding `megabytes` of random (incompressible, never deduplicated) bytes. */
async function configWithData(name: string, megabytes: number): Promise<string> {
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'data.bin'), randomBytes(megabytes * MB));
  const created = await t.request('POST', `/v2/${PROJECT}/configurations`, {
    body: {
      agent_id: agent!.id,
      name,
      enabled: true,
      schedule: null,
      retention: { days: 30 },
      inclusions: [{ type: 'folder', path: dir }],
      exclusions: [],
      notifications: [{ type: 'email', destination: 'ops@example.com', on_success: false, on_failure: true }],
    },
  });
  assert.equal(created.status, 201, created.text);
  return created.body.id;
}

async function setUploadLimit(bytesPerSecond: number | null): Promise<void> {
  const res = await t.request('PUT', `/v2/${PROJECT}/agents/${agent!.id}/limits`, { body: { upload_bytes_per_second: bytesPerSecond } });
  assert.equal(res.status, 204, res.text);
}

/** Samples the vault bytes the server received until `done` resolves. */
function sampleTraffic(done: Promise<unknown>): { at: number; bytes: number }[] {
  const samples: { at: number; bytes: number }[] = [];
  let finished = false;
  void done.finally(() => (finished = true));
  void (async () => {
    while (!finished) {
      samples.push({ at: performance.now(), bytes: t.server.ctx.vaultTraffic.received });
      await sleep(50);
    }
  })();
  return samples;
}

async function runBackup(configurationId: string): Promise<{ id: string; done: Promise<any> }> {
  const created = await t.request('POST', `/v2/${PROJECT}/backups`, { body: { configuration_id: configurationId, state: 'start_requested' } });
  assert.equal(created.status, 201, created.text);
  const done = (async () => {
    for (;;) {
      const job = (await t.request('GET', `/v2/${PROJECT}/backups/${created.body.id}`)).body;
      if (['completed', 'completed_with_errors', 'failed', 'stopped'].includes(job.state)) return job;
      await sleep(100);
    }
  })();
  return { id: created.body.id, done };
}

/** When the received count first reached `bytes` above the first sample. */
function timeAt(samples: { at: number; bytes: number }[], bytes: number): number {
  const base = samples[0]!.bytes;
  const hit = samples.find((s) => s.bytes - base >= bytes);
  assert.ok(hit, `the server received ${bytes} bytes`);
  return hit.at;
}

describe('agent bandwidth limits', { timeout: 180_000 }, () => {
  it('50 MB at 5 MB/s takes 10 s ± 15 %; a limit changed mid-backup takes effect within 2 s', async () => {
    agent = await InProcessAgent.register({ api: t.url, user: 'ops', password: PASSWORD, name: 'host' });
    agent.start();
    // A first small backup creates the vault (its key derivation is not part of the measurement).
    const warm = await runBackup(await configWithData('warm', 1));
    assert.equal((await warm.done).state, 'completed');

    await setUploadLimit(5 * MB);
    const limited = await configWithData('limited', 50);
    await sleep(500); // the agent hears configuration_changed on its long poll
    const first = await runBackup(limited);
    const samples = sampleTraffic(first.done);
    const result = await first.done;
    assert.equal(result.state, 'completed', JSON.stringify(result.errors));
    const seconds = (Date.parse(result.ended_time) - Date.parse(result.started_time)) / 1000;
    // The rate where the bytes arrive, away from the start and the end: 40 MB in 8 s. Never faster than the limit
    // allows (− 15 %); slower is bounded loosely (+ 50 %), because reading, chunking and encrypting compete for the
    // CPU with whatever else the machine runs. A limit applied twice as strict still fails.
    const steady = (timeAt(samples, 45 * MB) - timeAt(samples, 5 * MB)) / 1000;
    console.log(`# 50 MB at a 5 MB/s agent limit: ${seconds.toFixed(1)} s from start to end; 40 MB arrived in ${steady.toFixed(1)} s`);
    assert.ok(steady >= 6.8 && steady <= 12, `40 MB arrived in ${steady} s (8 s, − 15 % / + 50 %)`);
    assert.ok(seconds >= 8.5 && seconds <= 15, `50 MB at 5 MB/s took ${seconds} s (10 s, − 15 % / + 50 %)`);

    // 2 MB/s, then 10 MB/s while the backup runs: within 2 s the bytes arrive at the new rate.
    await setUploadLimit(2 * MB);
    const changing = await configWithData('changing', 50);
    await sleep(500);
    const second = await runBackup(changing);
    const live = sampleTraffic(second.done);
    await sleep(500);
    const started = await (async () => {
      for (;;) {
        if (live.length > 0 && live.at(-1)!.bytes - live[0]!.bytes >= 4 * MB) return live.at(-1)!.at;
        await sleep(50);
      }
    })();
    const before = rateOver(live, started - 1000, started);
    assert.ok(before <= 2.4 * MB, `before the change: ${(before / MB).toFixed(2)} MB/s`);
    const changedAt = performance.now();
    await setUploadLimit(10 * MB);
    const ended = await second.done;
    assert.equal(ended.state, 'completed');
    // The first moment after the change from which a 0.5 s window runs at ≥ 8 MB/s.
    const fast = live.find((s) => s.at >= changedAt && rateOver(live, s.at, s.at + 500) >= 8 * MB);
    assert.ok(fast, 'the backup reached the new rate');
    assert.ok(fast.at - changedAt <= 2000, `the new limit took effect after ${Math.round(fast.at - changedAt)} ms`);
    const afterRate = rateOver(live, fast.at, fast.at + 1500);
    assert.ok(afterRate <= 11.5 * MB, `and stays within it: ${(afterRate / MB).toFixed(2)} MB/s`);
  });
});

/** Bytes per second received between two moments, from the samples. */
function rateOver(samples: { at: number; bytes: number }[], from: number, to: number): number {
  const inside = samples.filter((s) => s.at >= from && s.at <= to);
  if (inside.length < 2) return 0;
  const first = inside[0]!;
  const last = inside.at(-1)!;
  return ((last.bytes - first.bytes) / (last.at - first.at)) * 1000;
}
