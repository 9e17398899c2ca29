import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PROJECT, patchHeaders } from '../helpers/fixtures.js';
import { InProcessAgent } from '../helpers/in-process-agent.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

/*
 * A configuration's own bandwidth limit with the real agent and real files, measured where the bytes arrive (the
 * server's count of vault bytes received, sampled every 50 ms): 200 MB of random bytes at 10 MB/s, then a limit
 * changed in the middle of a backup, where the agent's own (stricter) limit caps the raised one. Also the field's
 * validation.
 */

const MB = 1_000_000;
const PASSWORD = 'ops-password-123';
const randomBytesAsync = promisify(randomBytes);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
type Sample = { at: number; bytes: number };

let t: TestServer;
let agent: InProcessAgent | undefined;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'coffer-config-bandwidth-'));

before(async () => {
  t = await startTestServer();
  const user = await t.request('POST', '/admin/users', { body: { username: 'ops', password: PASSWORD, project_id: PROJECT, roles: ['cloudbackup:admin'] } });
  assert.equal(user.status, 201, user.text);
  agent = await InProcessAgent.register({ api: t.url, user: 'ops', password: PASSWORD, name: 'host' });
});

after(async () => {
  await agent?.stop().catch(() => undefined);
  await t?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

function configurationBody(name: string, dir: string, extra: Record<string, unknown> = {}) {
  return {
    agent_id: agent!.id,
    name,
    enabled: true,
    schedule: null,
    retention: { days: 30 },
    inclusions: [{ type: 'folder', path: dir }],
    exclusions: [],
    notifications: [{ type: 'email', destination: 'ops@example.com', on_success: false, on_failure: true }],
    ...extra,
  };
}

/** A configuration of one folder holding `megabytes` of random (incompressible, never deduplicated) bytes. */
async function configWithData(name: string, megabytes: number, bandwidth?: unknown): Promise<string> {
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  // Written in steps without blocking the event loop: the server and the agent run in this process.
  const file = await fs.promises.open(path.join(dir, 'data.bin'), 'w');
  for (let written = 0; written < megabytes; written += 10) await file.write(await randomBytesAsync(Math.min(10, megabytes - written) * MB));
  await file.close();
  const created = await t.request('POST', `/v2/${PROJECT}/configurations`, { body: configurationBody(name, dir, bandwidth === undefined ? {} : { bandwidth }) });
  assert.equal(created.status, 201, created.text);
  return created.body.id;
}

async function patchConfiguration(id: string, operations: unknown[]) {
  return t.request('PATCH', `/v2/${PROJECT}/configurations/${id}`, { body: operations, headers: patchHeaders });
}

async function setUpload(id: string, bytesPerSecond: number | null): Promise<void> {
  const res = await patchConfiguration(id, [{ op: 'replace', path: '/bandwidth/upload_bytes_per_second', value: bytesPerSecond }]);
  assert.equal(res.status, 204, res.text);
}

/** Samples the vault bytes the server received until `done` resolves. */
function sampleTraffic(done: Promise<unknown>): Sample[] {
  const samples: Sample[] = [];
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
function timeAt(samples: Sample[], bytes: number): number {
  const base = samples[0]!.bytes;
  const hit = samples.find((s) => s.bytes - base >= bytes);
  assert.ok(hit, `the server received ${bytes} bytes`);
  return hit.at;
}

/** Bytes per second received between two moments, from the samples. */
function rateOver(samples: Sample[], from: number, to: number): number {
  const inside = samples.filter((s) => s.at >= from && s.at <= to);
  if (inside.length < 2) return 0;
  const first = inside[0]!;
  const last = inside.at(-1)!;
  return ((last.bytes - first.bytes) / (last.at - first.at)) * 1000;
}

async function untilReceived(samples: Sample[], bytes: number): Promise<number> {
  for (;;) {
    if (samples.length > 0 && samples.at(-1)!.bytes - samples[0]!.bytes >= bytes) return samples.at(-1)!.at;
    await sleep(50);
  }
}

describe('configuration bandwidth limits', { timeout: 240_000 }, () => {
  it('is part of the configuration: shown, patched, sent to the agent; bad values are 400 naming the field and change nothing', async () => {
    const dir = path.join(work, 'plain');
    fs.mkdirSync(dir);
    const created = await t.request('POST', `/v2/${PROJECT}/configurations`, { body: configurationBody('plain', dir) });
    assert.equal(created.status, 201, created.text);
    assert.deepEqual(created.body.bandwidth, { upload_bytes_per_second: null, download_bytes_per_second: null }, 'no limit unless asked');
    const id = created.body.id;

    assert.equal((await patchConfiguration(id, [{ op: 'replace', path: '/bandwidth', value: { upload_bytes_per_second: 2048, download_bytes_per_second: 4096 } }])).status, 204);
    assert.equal((await patchConfiguration(id, [{ op: 'replace', path: '/bandwidth/download_bytes_per_second', value: null }])).status, 204);
    const detail = await t.request('GET', `/v2/${PROJECT}/configurations/${id}`);
    assert.deepEqual(detail.body.bandwidth, { upload_bytes_per_second: 2048, download_bytes_per_second: null });
    const list = await t.request('GET', `/v2/${PROJECT}/configurations`);
    assert.deepEqual(list.body.configurations.find((c: { id: string }) => c.id === id).bandwidth, { upload_bytes_per_second: 2048, download_bytes_per_second: null });
    const document = await t.request('GET', `/v2/${PROJECT}/agents/${agent!.id}/configuration`);
    assert.deepEqual(document.body.configurations.find((c: { id: string }) => c.id === id).bandwidth, { upload_bytes_per_second: 2048, download_bytes_per_second: null });

    const bad: [unknown, string][] = [
      [{ upload_bytes_per_second: -5000 }, 'bandwidth.upload_bytes_per_second must be at least 1024.'],
      [{ upload_bytes_per_second: 5000.5 }, 'bandwidth.upload_bytes_per_second must be an integer.'],
      [{ download_bytes_per_second: 1023 }, 'bandwidth.download_bytes_per_second must be at least 1024.'],
      [{ download_bytes_per_second: '10MB' }, 'bandwidth.download_bytes_per_second must be an integer.'],
      [{ upload: 5000 }, 'bandwidth.upload is not a bandwidth limit; known: upload_bytes_per_second, download_bytes_per_second.'],
      [[5000], 'bandwidth must be an object.'],
    ];
    for (const [value, message] of bad) {
      const onCreate = await t.request('POST', `/v2/${PROJECT}/configurations`, { body: configurationBody('bad', dir, { bandwidth: value }) });
      assert.equal(onCreate.status, 400, onCreate.text);
      assert.ok(onCreate.body.errors.includes(message), `create ${JSON.stringify(value)}: ${onCreate.text}`);
      const onPatch = await patchConfiguration(id, [{ op: 'replace', path: '/bandwidth', value }]);
      assert.equal(onPatch.status, 400, onPatch.text);
      assert.ok(onPatch.body.errors.includes(message), `patch ${JSON.stringify(value)}: ${onPatch.text}`);
    }
    const member = await patchConfiguration(id, [
      { op: 'replace', path: '/name', value: 'renamed' },
      { op: 'replace', path: '/bandwidth/upload_bytes_per_second', value: 0 },
    ]);
    assert.equal(member.status, 400, member.text);
    assert.ok(member.body.errors.includes('bandwidth.upload_bytes_per_second must be at least 1024.'), member.text);
    const unchanged = await t.request('GET', `/v2/${PROJECT}/configurations/${id}`);
    assert.equal(unchanged.body.name, 'plain', 'a refused patch writes nothing');
    assert.deepEqual(unchanged.body.bandwidth, { upload_bytes_per_second: 2048, download_bytes_per_second: null });
  });

  it("200 MB at a configuration's 10 MB/s takes 20 s ± 15 %; a limit changed mid-backup takes effect within 2 s, capped by the agent's own", async () => {
    agent!.start();
    // A first small backup creates the vault (its key derivation is not part of the measurement).
    const warm = await runBackup(await configWithData('warm', 1));
    assert.equal((await warm.done).state, 'completed');

    const limited = await configWithData('limited', 200, { upload_bytes_per_second: 10 * MB });
    await sleep(500); // the agent hears configuration_changed on its long poll
    const first = await runBackup(limited);
    const samples = sampleTraffic(first.done);
    const result = await first.done;
    assert.equal(result.state, 'completed', JSON.stringify(result.errors));
    const seconds = (Date.parse(result.ended_time) - Date.parse(result.started_time)) / 1000;
    // The steady rate where the bytes arrive, away from the start and the end: 160 MB in 16 s.
    const steady = (timeAt(samples, 180 * MB) - timeAt(samples, 20 * MB)) / 1000;
    console.log(`# 200 MB at a 10 MB/s configuration limit: ${seconds.toFixed(1)} s from start to end; 160 MB arrived in ${steady.toFixed(1)} s`);
    // Never faster than the limit allows: not under 20 s − 15 % in all, 16 s − 15 % for the steady part. Slower is
    // bounded loosely (+ 50 %): on an idle machine it takes 21-23 s, but reading, chunking and encrypting 200 MB
    // compete for the CPU with everything else the machine runs, and a loaded machine cannot keep up with 10 MB/s.
    // A limit applied twice as strict (40 s) still fails.
    assert.ok(steady >= 13.6 && steady <= 24, `160 MB arrived in ${steady} s (16 s, − 15 % / + 50 %)`);
    assert.ok(seconds >= 17 && seconds <= 30, `200 MB at 10 MB/s took ${seconds} s (20 s, − 15 % / + 50 %)`);

    // The agent's own limit 5 MB/s, the configuration's 2 MB/s: the configuration's is the stricter.
    const agentLimit = await t.request('PUT', `/v2/${PROJECT}/agents/${agent!.id}/limits`, { body: { upload_bytes_per_second: 5 * MB } });
    assert.equal(agentLimit.status, 204, agentLimit.text);
    const changing = await configWithData('changing', 30, { upload_bytes_per_second: 2 * MB });
    await sleep(500);
    const second = await runBackup(changing);
    const live = sampleTraffic(second.done);
    const started = await untilReceived(live, 3 * MB);
    await sleep(1000);
    const before = rateOver(live, started, performance.now());
    assert.ok(before >= 1.5 * MB && before <= 2.4 * MB, `before the change: ${(before / MB).toFixed(2)} MB/s`);
    // Raised to 50 MB/s: now the agent's 5 MB/s is the stricter, and sets the pace.
    const changedAt = performance.now();
    await setUpload(changing, 50 * MB);
    await untilReceived(live, 3 * MB + 2 * MB + 4 * MB);
    const ended = await second.done;
    assert.equal(ended.state, 'completed', JSON.stringify(ended.errors));
    // The first moment after the change from which a 0.5 s window runs at ≥ 4 MB/s.
    const fast = live.find((s) => s.at >= changedAt && rateOver(live, s.at, s.at + 500) >= 4 * MB);
    assert.ok(fast, 'the backup reached the new rate');
    const tookMs = Math.round(fast.at - changedAt);
    // Past the quarter-second burst the agent's bucket had saved up.
    const afterRate = rateOver(live, fast.at + 500, fast.at + 2500);
    console.log(`# limit raised mid-backup: 2 MB/s before (${(before / MB).toFixed(2)} measured), new pace after ${tookMs} ms, ${(afterRate / MB).toFixed(2)} MB/s under the agent's 5 MB/s`);
    assert.ok(tookMs <= 2000, `the new limit took effect after ${tookMs} ms`);
    assert.ok(afterRate <= 5.75 * MB, `the agent's own limit still holds: ${(afterRate / MB).toFixed(2)} MB/s`);
  });
});
