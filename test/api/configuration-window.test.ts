import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { PROJECT, patchHeaders } from '../helpers/fixtures.js';
import { InProcessAgent } from '../helpers/in-process-agent.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

/*
 * Backup windows with the real server, the real agent and real files. The agent's clock is set a few seconds before
 * a scheduled time T, ten seconds before a window ends at E (a whole minute, Europe/Berlin): the schedule's backups
 * start at T only where T is inside the window; at E the one with `outside: stop` is stopped with its reason and the
 * one with `outside: pause` stops moving bytes until its window (patched) lets it go on; a user's backup ignores the
 * window. Also the field's validation.
 */

const MB = 1_000_000;
const PASSWORD = 'ops-password-123';
const ZONE = 'Europe/Berlin';
const randomBytesAsync = promisify(randomBytes);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const hhmm = (ms: number) => new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ms);
const wireTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '.000000Z');

let t: TestServer;
let agent: InProcessAgent | undefined;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'coffer-window-'));

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
    schedule: { recurrence: ['RRULE:FREQ=HOURLY;INTERVAL=1'], time_zone: ZONE },
    retention: { days: 30 },
    inclusions: [{ type: 'folder', path: dir }],
    exclusions: [],
    notifications: [{ type: 'email', destination: 'ops@example.com', on_success: false, on_failure: true }],
    ...extra,
  };
}

async function configWithData(name: string, megabytes: number, extra: Record<string, unknown>): Promise<string> {
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  await fs.promises.writeFile(path.join(dir, 'data.bin'), await randomBytesAsync(megabytes * MB));
  const created = await t.request('POST', `/v2/${PROJECT}/configurations`, { body: configurationBody(name, dir, extra) });
  assert.equal(created.status, 201, created.text);
  return created.body.id;
}

const patchConfiguration = (id: string, operations: unknown[]) => t.request('PATCH', `/v2/${PROJECT}/configurations/${id}`, { body: operations, headers: patchHeaders });

async function backupsOf(configurationId: string) {
  return t.server.ctx.store.db.selectFrom('jobs').select(['id', 'state', 'started_by']).where('configuration_id', '=', configurationId).where('kind', '=', 'backup').orderBy('seq').execute();
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await sleep(100);
  }
}

const backupBody = async (id: string) => (await t.request('GET', `/v2/${PROJECT}/backups/${id}`)).body;

describe('backup windows', { timeout: 120_000 }, () => {
  it('bad windows are 400 naming the field, and change nothing', async () => {
    const dir = path.join(work, 'plain');
    fs.mkdirSync(dir);
    const created = await t.request('POST', `/v2/${PROJECT}/configurations`, { body: configurationBody('plain', dir, { backup_window: { start: '22:00', end: '06:00' } }) });
    assert.equal(created.status, 201, created.text);
    assert.deepEqual(created.body.backup_window, { start: '22:00', end: '06:00', outside: 'pause' });
    const id = created.body.id;
    const bad: [unknown, string][] = [
      [{ start: '22:00', end: '22:00' }, 'backup_window.end must differ from backup_window.start (a window open all day is no window: use null).'],
      [{ start: '25:00', end: '06:00' }, 'backup_window.start must be a time of day HH:MM (00:00 to 23:59).'],
      [{ start: '22:00', end: '6pm' }, 'backup_window.end must be a time of day HH:MM (00:00 to 23:59).'],
      [{ start: '22:00', end: '06:00', outside: 'skip' }, 'backup_window.outside must be one of pause, stop.'],
      ['22:00-06:00', 'backup_window must be an object with start and end (HH:MM), or null.'],
    ];
    for (const [value, message] of bad) {
      const onCreate = await t.request('POST', `/v2/${PROJECT}/configurations`, { body: configurationBody('bad', dir, { backup_window: value }) });
      assert.equal(onCreate.status, 400, onCreate.text);
      assert.ok(onCreate.body.errors.includes(message), `create ${JSON.stringify(value)}: ${onCreate.text}`);
      const onPatch = await patchConfiguration(id, [{ op: 'replace', path: '/backup_window', value }]);
      assert.equal(onPatch.status, 400, onPatch.text);
      assert.ok(onPatch.body.errors.includes(message), `patch ${JSON.stringify(value)}: ${onPatch.text}`);
    }
    assert.deepEqual((await t.request('GET', `/v2/${PROJECT}/configurations/${id}`)).body.backup_window, { start: '22:00', end: '06:00', outside: 'pause' });
    assert.equal((await patchConfiguration(id, [{ op: 'replace', path: '/backup_window', value: null }])).status, 204);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/configurations/${id}`)).body.backup_window, null);
  });

  it('a scheduled backup starts only inside its window; at the end `stop` stops it with its reason and `pause` holds its transfers; a user backup ignores the window', async () => {
    const realStart = Date.now();
    const end = Math.ceil((realStart + 3_600_000) / 60_000) * 60_000; // E: a whole minute, an hour ahead
    const due = end - 10_000; // T: ten seconds before the window ends
    const window = { start: hhmm(due - 60_000), end: hhmm(end) };
    const stopping = await configWithData('stopping', 24, { backup_window: { ...window, outside: 'stop' }, bandwidth: { upload_bytes_per_second: MB } });
    const pausing = await configWithData('pausing', 24, { backup_window: { ...window, outside: 'pause' }, bandwidth: { upload_bytes_per_second: MB } });
    const elsewhere = await configWithData('elsewhere', 1, { backup_window: { start: hhmm(end + 120_000), end: hhmm(end + 180_000), outside: 'pause' } });
    // Each hourly schedule counts from its configuration's start: put T on all three schedules.
    for (const id of [stopping, pausing, elsewhere]) {
      await t.server.ctx.store.db
        .updateTable('configurations')
        .set({ created_at: wireTime(due - 3_600_000) })
        .where('id', '=', id)
        .execute();
    }
    const limits = await t.request('PUT', `/v2/${PROJECT}/agents/${agent!.id}/limits`, { body: { max_running_jobs: 3 } });
    assert.equal(limits.status, 204, limits.text);

    // The server lists T for the configurations whose window holds it, and not for the other.
    const document = (await t.request('GET', `/v2/${PROJECT}/agents/${agent!.id}/configuration`)).body;
    const timesOf = (id: string) => document.configurations.find((c: { id: string }) => c.id === id).times as string[];
    const dueText = new Date(due).toISOString().replace('.000Z', 'Z');
    assert.equal(timesOf(stopping)[0], dueText);
    assert.equal(timesOf(pausing)[0], dueText);
    assert.ok(!timesOf(elsewhere).includes(dueText), `T is outside the window of "elsewhere": ${timesOf(elsewhere).join(', ')}`);
    assert.deepEqual(document.configurations.find((c: { id: string }) => c.id === stopping).backup_window, { ...window, outside: 'stop', time_zone: ZONE });

    // The agent's clock reads T − 6 s.
    const offset = due - 6_000 - Date.now();
    agent!.start({ clockOffsetMs: offset });
    const endReal = end - offset;

    const stopped = await until('the scheduled backup of "stopping"', async () => (await backupsOf(stopping))[0]);
    const paused = await until('the scheduled backup of "pausing"', async () => (await backupsOf(pausing))[0]);
    assert.equal(stopped.started_by, 'start_scheduled');
    assert.equal(paused.started_by, 'start_scheduled');

    // At E: `stop` ends the backup, saying why.
    const ended = await until('"stopping" to end', async () => {
      const body = await backupBody(stopped.id);
      return ['stopped', 'completed', 'failed'].includes(body.state) ? body : undefined;
    });
    assert.equal(ended.state, 'stopped', JSON.stringify(ended));
    assert.equal(ended.errors?.reason, 'outside_backup_window', JSON.stringify(ended.errors));
    const lateMs = Date.parse(ended.ended_time) - endReal;
    console.log(`# "outside: stop": stopped ${lateMs} ms after the window's end`);
    assert.ok(lateMs >= 0 && lateMs <= 2500, `stopped ${lateMs} ms after the window's end`);

    // `pause`: the backup is still running, and no vault bytes move.
    await sleep(Math.max(0, endReal + 1000 - Date.now()));
    const held = t.server.ctx.vaultTraffic.received;
    await sleep(3000);
    const movedWhilePaused = t.server.ctx.vaultTraffic.received - held;
    const pausedBody = await backupBody(paused.id);
    console.log(`# "outside: pause": ${movedWhilePaused} bytes reached the vault in the 3 s after the window's end (+1 s)`);
    assert.equal(pausedBody.state, 'in_progress');
    assert.ok(movedWhilePaused < 64 * 1024, `${movedWhilePaused} bytes moved while paused`);
    assert.equal((await backupsOf(elsewhere)).length, 0, 'no backup started outside its window');

    // The window opens again (here: widened) and the limit is lifted: the transfers go on and the backup completes.
    const reopened = await patchConfiguration(pausing, [
      { op: 'replace', path: '/backup_window', value: { start: hhmm(end - 120_000), end: hhmm(end + 600_000), outside: 'pause' } },
      { op: 'replace', path: '/bandwidth/upload_bytes_per_second', value: null },
    ]);
    assert.equal(reopened.status, 204, reopened.text);
    const resumed = await until('"pausing" to end', async () => {
      const body = await backupBody(paused.id);
      return ['stopped', 'completed', 'failed'].includes(body.state) ? body : undefined;
    });
    assert.equal(resumed.state, 'completed', JSON.stringify(resumed.errors));

    // A user's backup runs whatever the window says (the agent's clock is outside the window of "elsewhere").
    const manual = await t.request('POST', `/v2/${PROJECT}/backups`, { body: { configuration_id: elsewhere, state: 'start_requested' } });
    assert.equal(manual.status, 201, manual.text);
    const manualEnd = await until('the user backup to end', async () => {
      const body = await backupBody(manual.body.id);
      return ['stopped', 'completed', 'failed'].includes(body.state) ? body : undefined;
    });
    assert.equal(manualEnd.state, 'completed');
  });
});
