import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import type { AgentApi } from './agent-api.js';
import { AgentClock } from './clock.js';
import type { ConfigurationCache, ConfigurationDocument } from './configuration-document.js';
import { BackupScheduler } from './scheduler.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The server side of the two calls the scheduler makes, recorded: its document, and `POST /backups`. */
function serverOf(document: ConfigurationDocument, answer: (configurationId: string) => Record<string, unknown>) {
  const posts: { configurationId: string; at: number }[] = [];
  const api = {
    v2: (...segments: string[]) => `/v2/p/${segments.join('/')}`,
    async post(_url: string, body: { configuration_id: string }) {
      posts.push({ configurationId: body.configuration_id, at: Date.now() });
      return { status: 201, body: answer(body.configuration_id), headers: new Headers() };
    },
  } as unknown as AgentApi;
  const configs = { get: async () => document, reload: async () => document } as unknown as ConfigurationCache;
  return { api, configs, posts };
}

const entry = (id: string, time: number) => ({ id, name: id, enabled: true, retention: { days: 1 }, times: [new Date(time).toISOString()], inclusions: [], exclusions: [] });

describe('backup scheduler', { timeout: 20_000 }, () => {
  it('starts each scheduled backup at a random moment within the start jitter window after its time', async () => {
    const due = Date.now() + 300;
    const document: ConfigurationDocument = { system_preferences: { job_controls: { start_jitter_seconds: 2 } }, vaults: [], configurations: [entry('a', due), entry('b', due)] };
    const { api, configs, posts } = serverOf(document, (id) => ({ id: `backup-${id}`, state: 'start_scheduled', queue_position: null }));
    const draws = [0.25, 0.6];
    const started: string[] = [];
    const scheduler = new BackupScheduler(
      api,
      configs,
      new AgentClock(),
      pino({ level: 'silent' }),
      async (id) => void started.push(id),
      { retries: 0, delayMs: 0 },
      () => draws.shift()!,
    );
    await scheduler.refresh();
    await sleep(1900);
    scheduler.stop();
    assert.equal(posts.length, 2);
    // 0.25 and 0.6 of a 2 s window: 500 ms and 1200 ms after the due time (timers are never early), whichever
    // configuration drew which.
    const [early, late] = posts.map((p) => p.at - due).sort((x, y) => x - y) as [number, number];
    assert.ok(early >= 490 && early < 900, `first start ${early} ms after its time`);
    assert.ok(late >= 1190 && late < 1600, `second start ${late} ms after its time`);
    assert.deepEqual(started.sort(), ['backup-a', 'backup-b']);
  });

  it('without jitter it starts on time; a backup the server queued is left for its start request', async () => {
    const due = Date.now() + 200;
    const document: ConfigurationDocument = { vaults: [], configurations: [entry('a', due), entry('b', due)] };
    const { api, configs, posts } = serverOf(document, (id) =>
      id === 'a' ? { id: 'backup-a', state: 'start_scheduled', queue_position: null } : { id: 'backup-b', state: 'queued', queue_position: 4 },
    );
    const started: string[] = [];
    const scheduler = new BackupScheduler(
      api,
      configs,
      new AgentClock(),
      pino({ level: 'silent' }),
      async (id) => void started.push(id),
      { retries: 0, delayMs: 0 },
      () => 0.99,
    );
    await scheduler.refresh();
    await sleep(700);
    scheduler.stop();
    assert.equal(posts.length, 2);
    for (const post of posts) assert.ok(post.at - due < 400, `on time: ${post.at - due} ms`);
    assert.deepEqual(started, ['backup-a']);
  });

  it("skips a time outside its configuration's backup window (a window the document changed after the times were listed)", async () => {
    const due = Date.now() + 200;
    // A window of one minute that is not now in UTC, and one that is.
    const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
    const elsewhere = { start: hhmm(due + 3_600_000), end: hhmm(due + 3_660_000), outside: 'pause' as const, time_zone: 'UTC' };
    const around = { start: hhmm(due - 60_000), end: hhmm(due + 120_000), outside: 'stop' as const, time_zone: 'UTC' };
    const document: ConfigurationDocument = {
      vaults: [],
      configurations: [
        { ...entry('outside', due), backup_window: elsewhere },
        { ...entry('inside', due), backup_window: around },
      ],
    };
    const { api, configs, posts } = serverOf(document, (id) => ({ id: `backup-${id}`, state: 'start_scheduled', queue_position: null }));
    const started: string[] = [];
    const scheduler = new BackupScheduler(
      api,
      configs,
      new AgentClock(),
      pino({ level: 'silent' }),
      async (id) => void started.push(id),
      { retries: 0, delayMs: 0 },
      () => 0,
    );
    await scheduler.refresh();
    await sleep(600);
    scheduler.stop();
    assert.deepEqual(
      posts.map((p) => p.configurationId),
      ['inside'],
      'no backup is created for the time outside its window',
    );
    assert.deepEqual(started, ['backup-inside']);
  });

  it('stopped while its document is on the way, it sets no timer', async () => {
    const due = Date.now() + 60_000;
    const document: ConfigurationDocument = { vaults: [], configurations: [entry('a', due)] };
    const { api } = serverOf(document, () => ({}));
    let deliver!: (value: ConfigurationDocument) => void;
    const configs = { get: async () => document, reload: () => new Promise<ConfigurationDocument>((resolve) => (deliver = resolve)) } as unknown as ConfigurationCache;
    const scheduler = new BackupScheduler(api, configs, new AgentClock(), pino({ level: 'silent' }), async () => undefined, { retries: 0, delayMs: 0 });
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = timers();
    const refreshing = scheduler.refresh(true);
    scheduler.stop();
    deliver(document);
    await refreshing;
    assert.equal(timers(), before, 'a timer was set after stop(): it would fire a backup and keep the process alive');
  });
});
