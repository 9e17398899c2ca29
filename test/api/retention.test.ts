import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { buildWorld, patchHeaders, PROJECT, type World } from '../helpers/fixtures.js';

let t: TestServer;
let w: World;

before(async () => {
  t = await startTestServer();
  w = await buildWorld(t);
});
after(async () => t.close());

const HOUR = 3_600_000;

function configurationBody(retention: unknown, timeZone = 'Europe/Berlin') {
  return {
    agent_id: w.agent.id,
    name: `retention ${Math.random()}`,
    enabled: true,
    schedule: { recurrence: ['RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=2;BYMINUTE=0'], time_zone: timeZone },
    retention,
    inclusions: [{ type: 'folder', path: '/srv/' }],
    exclusions: [],
    notifications: [{ type: 'email', destination: 'ops@example.com', on_success: false, on_failure: true }],
  };
}

async function createConfiguration(retention: unknown, timeZone?: string): Promise<string> {
  const res = await t.request('POST', `/v2/${PROJECT}/configurations`, { token: w.creator, body: configurationBody(retention, timeZone) });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

/** A backup the agent reports completed with `snapshotId`, ended at `endedTime`. */
async function backupEndedAt(configurationId: string, snapshotId: number, endedTime: string): Promise<string> {
  const started = await t.request('POST', `/v2/${PROJECT}/backups`, { token: w.creator, body: { configuration_id: configurationId, state: 'start_requested' } });
  assert.equal(started.status, 201, started.text);
  const done = await t.request('PATCH', `/v2/${PROJECT}/backups/${started.body.id}`, {
    token: w.agent.token,
    headers: patchHeaders,
    raw: JSON.stringify([
      { op: 'replace', path: '/state', value: 'completed' },
      { op: 'add', path: '/ended_time', value: endedTime },
      { op: 'add', path: '/snapshot_id', value: snapshotId },
    ]),
  });
  assert.equal(done.status, 204, done.text);
  return started.body.id;
}

const dryRun = (configurationId: string, query = '', token = w.observer) => t.request('GET', `/v2/${PROJECT}/configurations/${configurationId}/retention${query}`, { token });
const restorableIds = async (configurationId: string) =>
  (await t.request('GET', `/v2/${PROJECT}/backups?restorable=true&configuration_id=${configurationId}`, { token: w.observer })).body.backups.map((b: { id: string }) => b.id).sort();

describe('retention policy on a configuration', () => {
  it('stores the keep rules beside days and shows them on the configuration and in the agent document', async () => {
    const id = await createConfiguration({ days: 0, keep_last: 2, keep_daily: 7, keep_weekly: 0, keep_within: '1y6m' });
    const read = await t.request('GET', `/v2/${PROJECT}/configurations/${id}`, { token: w.observer });
    assert.deepEqual(read.body.retention, { days: 0, keep_last: 2, keep_daily: 7, keep_within: '1y6m' });
    const doc = await t.request('GET', `/v2/${PROJECT}/agents/${w.agent.id}/configuration`, { token: w.agent.token });
    assert.deepEqual(doc.body.configurations.find((c: { id: string }) => c.id === id).retention, { days: 0, keep_last: 2, keep_daily: 7, keep_within: '1y6m' });
    const patched = await t.request('PATCH', `/v2/${PROJECT}/configurations/${id}`, {
      token: w.creator,
      body: [
        { op: 'replace', path: '/retention/keep_daily', value: 0 },
        { op: 'replace', path: '/retention/keep_monthly', value: 12 },
      ],
    });
    assert.equal(patched.status, 204, patched.text);
    assert.deepEqual((await t.request('GET', `/v2/${PROJECT}/configurations/${id}`, { token: w.observer })).body.retention, { days: 0, keep_last: 2, keep_monthly: 12, keep_within: '1y6m' });
    const replaced = await t.request('PATCH', `/v2/${PROJECT}/configurations/${id}`, { token: w.creator, body: [{ op: 'replace', path: '/retention', value: { days: 30 } }] });
    assert.equal(replaced.status, 204, replaced.text);
    assert.deepEqual((await t.request('GET', `/v2/${PROJECT}/configurations/${id}`, { token: w.observer })).body.retention, { days: 30 });
  });

  it('refuses an unknown rule, a negative count or a bad duration with a 400 naming the field, and stores nothing', async () => {
    const count = async () => (await t.request('GET', `/v2/${PROJECT}/configurations`, { token: w.observer })).body.configurations.length;
    const before = await count();
    const cases: [unknown, string][] = [
      [{ days: 30, keep_fortnightly: 2 }, 'retention.keep_fortnightly is not a retention rule'],
      [{ days: 30, keep_daily: -1 }, 'retention.keep_daily must be at least 0.'],
      [{ days: 30, keep_last: 1.5 }, 'retention.keep_last must be an integer.'],
      [{ days: 30, keep_within: '2 weeks' }, 'retention.keep_within must be a duration'],
      [{ keep_last: 3 }, 'retention.days is required.'],
    ];
    for (const [retention, message] of cases) {
      const res = await t.request('POST', `/v2/${PROJECT}/configurations`, { token: w.creator, body: configurationBody(retention) });
      assert.equal(res.status, 400, JSON.stringify(retention));
      assert.ok(
        res.body.errors.some((e: string) => e.startsWith(message)),
        `${JSON.stringify(res.body)} names ${message}`,
      );
    }
    assert.equal(await count(), before);

    const id = await createConfiguration({ days: 0, keep_last: 3 });
    const patches: [unknown[], RegExp][] = [
      [[{ op: 'replace', path: '/retention/keep_daily', value: -2 }], /retention\.keep_daily must be at least 0/],
      [[{ op: 'replace', path: '/retention', value: { days: 0, keep_biweekly: 1 } }], /retention\.keep_biweekly is not a retention rule/],
      [[{ op: 'replace', path: '/retention/keep_fortnightly', value: 1 }], /keep_fortnightly/],
      [
        [
          { op: 'replace', path: '/retention/keep_last', value: 1 },
          { op: 'replace', path: '/retention/keep_within', value: '7w' },
        ],
        /retention\.keep_within must be a duration/,
      ],
    ];
    for (const [operations, message] of patches) {
      const res = await t.request('PATCH', `/v2/${PROJECT}/configurations/${id}`, { token: w.creator, body: operations });
      assert.equal(res.status, 400, JSON.stringify(operations));
      assert.match(res.text, message);
    }
    assert.deepEqual((await t.request('GET', `/v2/${PROJECT}/configurations/${id}`, { token: w.observer })).body.retention, { days: 0, keep_last: 3 });
  });
});

describe('retention dry run', () => {
  it('lists what the policy keeps and why, in the configuration time zone, and the backups list agrees', async () => {
    const id = await createConfiguration({ days: 0, keep_daily: 2, keep_last: 1 });
    // Berlin is UTC+2 in June: 22:30Z is already the next day there.
    const oldest = await backupEndedAt(id, 1, '2026-06-09T10:00:00.000000Z');
    const evening = await backupEndedAt(id, 2, '2026-06-10T20:00:00.000000Z');
    const lateEvening = await backupEndedAt(id, 3, '2026-06-10T21:30:00.000000Z');
    const newest = await backupEndedAt(id, 4, '2026-06-10T22:30:00.000000Z');
    const res = await dryRun(id);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.time_zone, 'Europe/Berlin');
    assert.deepEqual(res.body.retention, { days: 0, keep_last: 1, keep_daily: 2 });
    assert.deepEqual(
      res.body.keep.map((k: { backup: { id: string }; snapshot_id: number; reasons: unknown }) => [k.backup.id, k.snapshot_id, k.reasons]),
      [
        [newest, 4, [{ rule: 'keep_last' }, { rule: 'keep_daily', bucket: '2026-06-11' }]],
        [lateEvening, 3, [{ rule: 'keep_daily', bucket: '2026-06-10' }]],
      ],
    );
    assert.deepEqual(
      res.body.remove.map((r: { backup: { id: string }; time: string }) => [r.backup.id, r.time]),
      [
        [evening, '2026-06-10T20:00:00.000000Z'],
        [oldest, '2026-06-09T10:00:00.000000Z'],
      ],
    );
    assert.equal(res.body.keep[0].backup.links[0].href, `${t.url}/v2/${PROJECT}/backups/${newest}`);
    assert.deepEqual(await restorableIds(id), [newest, lateEvening].sort());
    assert.equal((await t.request('GET', `/v2/${PROJECT}/backups/${evening}`, { token: w.observer })).body.restorable, false);

    // The same instants in UTC fall on other days: a preview with another time zone is not offered, but the
    // configuration's own zone decides; a manual-only configuration counts in UTC.
    const manual = await t.request('PATCH', `/v2/${PROJECT}/configurations/${id}`, { token: w.creator, body: [{ op: 'replace', path: '/schedule', value: null }] });
    assert.equal(manual.status, 204, manual.text);
    const utc = await dryRun(id);
    assert.equal(utc.body.time_zone, 'UTC');
    assert.deepEqual(
      utc.body.keep.map((k: { backup: { id: string } }) => k.backup.id),
      [newest, oldest],
    );
    assert.deepEqual(await restorableIds(id), [newest, oldest].sort());
  });

  it('a days-only policy: the dry run and restorable agree (the list filters in SQL, the dry run plans)', async () => {
    const id = await createConfiguration({ days: 2 });
    const now = Date.now();
    const recent = await backupEndedAt(id, 30, new Date(now - 24 * HOUR).toISOString());
    const old = await backupEndedAt(id, 31, new Date(now - 72 * HOUR).toISOString());
    const plan = (await dryRun(id)).body;
    assert.deepEqual(
      plan.keep.map((k: { backup: { id: string }; reasons: unknown }) => [k.backup.id, k.reasons]),
      [[recent, [{ rule: 'days' }]]],
    );
    assert.deepEqual(
      plan.remove.map((r: { backup: { id: string } }) => r.backup.id),
      [old],
    );
    assert.deepEqual(await restorableIds(id), [recent]);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/backups/${old}`, { token: w.observer })).body.restorable, false);
  });

  it('previews other rules from the query without storing them; bad query fields are 400 naming them', async () => {
    const id = await createConfiguration({ days: 0, keep_last: 1 });
    const now = Date.now();
    for (let i = 0; i < 4; i++) await backupEndedAt(id, 10 + i, new Date(now - (4 - i) * HOUR).toISOString());
    assert.equal((await dryRun(id)).body.keep.length, 1);
    const preview = await dryRun(id, '?keep_last=3');
    assert.equal(preview.status, 200, preview.text);
    assert.deepEqual(preview.body.retention, { days: 0, keep_last: 3 });
    assert.equal(preview.body.keep.length, 3);
    assert.equal((await dryRun(id, '?keep_last=0&days=1')).body.keep.length, 4, 'keep_last off, 1 day keeps all four');
    assert.equal((await dryRun(id)).body.keep.length, 1, 'nothing was stored');
    for (const [query, message] of [
      ['?keep_fortnightly=1', 'keep_fortnightly is not a retention rule'],
      ['?keep_daily=-1', 'keep_daily must be at least 0.'],
      ['?keep_daily=many', 'keep_daily must be an integer.'],
      ['?keep_within=7w', 'keep_within must be a duration'],
    ] as const) {
      const res = await dryRun(id, query);
      assert.equal(res.status, 400, query);
      assert.ok(
        res.body.errors.some((e: string) => e.startsWith(message)),
        `${query}: ${res.text}`,
      );
    }
  });

  it('is read by users of the project and by the configuration agent only', async () => {
    const id = await createConfiguration({ days: 7 });
    assert.equal((await dryRun(id, '', w.agent.token)).status, 200);
    assert.equal((await dryRun(id, '', w.otherAgent.token)).status, 404, "another agent's configuration is invisible");
    assert.equal((await dryRun(id, '', w.stranger)).status, 404);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/configurations/${id}/retention`, { token: null })).status, 401);
    assert.equal((await dryRun('no-such-configuration')).status, 404);
  });

  it('a cleanup that removes the snapshots the dry run lets go leaves nothing more to remove', async () => {
    const id = await createConfiguration({ days: 0, keep_last: 2 });
    const now = Date.now();
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(await backupEndedAt(id, 20 + i, new Date(now - (4 - i) * HOUR).toISOString()));
    const plan = (await dryRun(id)).body;
    assert.deepEqual(
      plan.remove.map((r: { snapshot_id: number }) => r.snapshot_id),
      [21, 20],
    );
    const cleanup = await t.request('POST', `/v2/${PROJECT}/cleanups`, { token: w.creator, body: { agent_id: w.agent.id, state: 'start_requested' } });
    const done = await t.request('PATCH', `/v2/${PROJECT}/cleanups/${cleanup.body.id}`, {
      token: w.agent.token,
      headers: patchHeaders,
      raw: JSON.stringify([
        { op: 'replace', path: '/state', value: 'completed' },
        { op: 'add', path: '/snapshot_ids', value: [21, 20] },
      ]),
    });
    assert.equal(done.status, 204, done.text);
    const after = (await dryRun(id)).body;
    assert.deepEqual(after.remove, []);
    assert.deepEqual(
      after.keep.map((k: { snapshot_id: number }) => k.snapshot_id),
      [23, 22],
    );
    assert.deepEqual(await restorableIds(id), [ids[2], ids[3]].sort());
  });
});
