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

function configBody(overrides: Record<string, unknown> = {}) {
  return {
    agent_id: w.agent.id,
    name: 'Every Other Hour Configuration',
    enabled: true,
    schedule: { recurrence: ['RRULE:FREQ=HOURLY;INTERVAL=2'], time_zone: 'US/Central' },
    retention: { days: 30 },
    inclusions: [
      { type: 'folder', path: '/web/' },
      { type: 'file', path: '/etc/web/app.conf' },
    ],
    exclusions: [
      { type: 'folder', path: '/web/cache/' },
      { type: 'file', path: '/web/cache.jpg' },
    ],
    notifications: [{ type: 'email', destination: 'email@example.com', on_success: true, on_failure: true }],
    ...overrides,
  };
}

async function createConfig(overrides: Record<string, unknown> = {}, token = w.creator) {
  return t.request('POST', `/v2/${PROJECT}/configurations`, { token, body: configBody(overrides) });
}

async function newConfigId(overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await createConfig(overrides);
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

function patch(id: string, ops: unknown, token = w.creator, contentType = patchHeaders['content-type']) {
  return t.request('PATCH', `/v2/${PROJECT}/configurations/${id}`, { token, raw: JSON.stringify(ops), headers: { 'content-type': contentType } });
}

const get = (id: string, token = w.observer) => t.request('GET', `/v2/${PROJECT}/configurations/${id}`, { token });

async function eventNames(subjectId: string): Promise<string[]> {
  const rows = await t.server.ctx.store.db.selectFrom('events').select(['name']).where('subject_id', '=', subjectId).orderBy('id').execute();
  return rows.map((row) => row.name);
}

describe('configurations: create', () => {
  it('201 with Location and the detail representation; start is server-set to the second; next time from the schedule', async () => {
    const before = new Date();
    const res = await createConfig();
    assert.equal(res.status, 201, res.text);
    const id = res.body.id;
    assert.equal(res.headers.get('location'), `${t.url}/v2/${PROJECT}/configurations/${id}`);
    assert.deepEqual(
      Object.keys(res.body).sort(),
      // The reference's fields, and Coffer's own `bandwidth` and `backup_window` (additions).
      ['agent', 'backup_window', 'backups', 'bandwidth', 'deleted', 'enabled', 'exclusions', 'id', 'inclusions', 'links', 'name', 'notifications', 'project_id', 'retention', 'schedule'].sort(),
    );
    assert.equal(res.body.project_id, PROJECT);
    assert.deepEqual(res.body.agent, { id: w.agent.id, links: [{ href: `${t.url}/v2/${PROJECT}/agents/${w.agent.id}`, rel: 'full' }] });
    assert.match(res.body.schedule.start, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.ok(Date.parse(res.body.schedule.start) >= Math.floor(before.getTime() / 1000) * 1000);
    assert.deepEqual(res.body.schedule.recurrence, ['RRULE:FREQ=HOURLY;INTERVAL=2']);
    assert.equal(res.body.schedule.time_zone, 'US/Central');
    assert.equal(res.body.deleted, false);
    assert.deepEqual(res.body.exclusions, configBody().exclusions);
    assert.equal(res.body.backups.last_completed, null);
    // Every other hour from the start, which is the moment of creation: the next run is two hours after it.
    const expected = new Date(Date.parse(res.body.schedule.start) + 2 * 3600_000);
    assert.equal(res.body.backups.next.scheduled_time, expected.toISOString().replace(/\.\d{3}Z$/, 'Z'));
    assert.deepEqual(
      res.body.links,
      ['self', 'activities', 'events'].map((rel) => ({ href: `${t.url}/v2/${PROJECT}/configurations/${id}${rel === 'self' ? '' : `/${rel}`}`, rel })),
    );
    assert.deepEqual(await eventNames(id), ['configuration_changed']);
    const event = await t.server.ctx.store.db.selectFrom('events').selectAll().where('subject_id', '=', id).executeTakeFirstOrThrow();
    assert.equal(event.agent_id, w.agent.id);
    assert.equal(JSON.parse(event.body).agent.id, w.agent.id);
  });

  it('a manual-only configuration (schedule null) has no next scheduled time', async () => {
    const res = await createConfig({ schedule: null });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.schedule, null);
    assert.deepEqual(res.body.backups.next, { scheduled_time: null });
  });

  it('path_encoded is accepted and echoed; unknown fields are ignored', async () => {
    const res = await createConfig({ inclusions: [{ type: 'folder', path: '/web/', path_encoded: 'L3dlYi8=' }], exclusions: [], surplus: 1 });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.body.inclusions, [{ type: 'folder', path: '/web/', path_encoded: 'L3dlYi8=' }]);
    assert.equal(res.body.surplus, undefined);
  });

  it('every §3.2 rule → 400 naming the offending path, and nothing is written', async () => {
    const count = async () => (await t.server.ctx.store.db.selectFrom('configurations').select('id').execute()).length;
    const before = await count();
    const notifications = [{ type: 'email', destination: 'a@example.com', on_success: true, on_failure: true }];
    const cases: [Record<string, unknown>, string][] = [
      [{ name: undefined }, 'name is required.'],
      [{ name: '  ' }, 'name must not be empty.'],
      [{ enabled: 'yes' }, 'enabled must be true or false.'],
      [{ schedule: undefined }, 'schedule is required (null means manual backups only)'],
      [{ schedule: { recurrence: ['RRULE:FREQ=HOURLY;INTERVAL=2', 'RRULE:FREQ=DAILY'], time_zone: 'UTC' } }, 'schedule.recurrence must hold exactly one RRULE string, got 2'],
      [{ schedule: { recurrence: ['RRULE:FREQ=HOURLY;INTERVAL=2'], time_zone: 'Mars/Olympus' } }, 'schedule.time_zone: unknown time zone "Mars/Olympus"'],
      [{ schedule: { recurrence: ['RRULE:FREQ=MONTHLY'], time_zone: 'UTC' } }, 'schedule.recurrence[0]'],
      [{ retention: { days: -1 } }, 'retention.days must be at least 0.'],
      [{ retention: { days: 1.5 } }, 'retention.days must be an integer.'],
      [{ retention: undefined }, 'retention is required.'],
      [{ inclusions: [{ type: 'disk', path: '/web/' }] }, 'inclusions[0].type must be file or folder.'],
      [{ inclusions: [{ type: 'folder', path: '' }] }, 'inclusions[0].path must be a non-empty string.'],
      [{ inclusions: 'web' }, 'inclusions must be an array.'],
      [
        {
          inclusions: [
            { type: 'folder', path: '/web/' },
            { type: 'folder', path: '/web' },
          ],
          exclusions: [],
        },
        'inclusions[1].path "/web" duplicates inclusions[0].path',
      ],
      [
        {
          exclusions: [
            { type: 'folder', path: '/web/cache/' },
            { type: 'folder', path: '/web/cache/' },
          ],
        },
        'exclusions[1].path "/web/cache/" duplicates exclusions[0].path',
      ],
      [{ exclusions: [{ type: 'file', path: '/etc/web/app.conf' }] }, 'exclusions[0].path "/etc/web/app.conf" is also inclusions[1].path'],
      [
        {
          inclusions: [
            { type: 'folder', path: '/web/' },
            { type: 'file', path: '/web/index.html' },
          ],
          exclusions: [],
        },
        'inclusions[1].path "/web/index.html" is under the inclusion "/web/"',
      ],
      [
        {
          inclusions: [
            { type: 'folder', path: '/web/' },
            { type: 'folder', path: '/web/cache/keep/' },
          ],
          exclusions: [{ type: 'folder', path: '/web/cache/' }],
        },
        'inclusions[1].path "/web/cache/keep/" is under the exclusion "/web/cache/"',
      ],
      [
        {
          exclusions: [
            { type: 'folder', path: '/web/cache/' },
            { type: 'file', path: '/web/cache/big.iso' },
          ],
        },
        'exclusions[1].path "/web/cache/big.iso" is under the exclusion "/web/cache/"',
      ],
      [
        {
          inclusions: [{ type: 'folder', path: '/srv/' }],
          exclusions: [
            { type: 'folder', path: '/srv/tmp/' },
            { type: 'folder', path: '/web/cache/' },
          ],
        },
        'exclusions[1].path "/web/cache/" is not under any inclusion',
      ],
      [{ notifications: [] }, 'notifications must include at least one notification with on_failure true.'],
      [{ notifications: [{ ...notifications[0], on_failure: false }] }, 'notifications must include at least one notification with on_failure true.'],
      [{ notifications: [{ ...notifications[0], type: 'sms' }] }, 'notifications[0].type must be email.'],
      [{ notifications: [{ ...notifications[0], destination: 'nobody' }] }, 'notifications[0].destination must be an e-mail address.'],
      [{ agent_id: undefined }, 'agent_id is required.'],
      [{ agent_id: 'no-such-agent' }, 'agent_id no-such-agent is not an agent of this project.'],
    ];
    for (const [overrides, message] of cases) {
      const res = await createConfig(overrides);
      assert.equal(res.status, 400, `${JSON.stringify(overrides)}: ${res.text}`);
      assert.equal(res.body.message, 'Validation failed.');
      assert.ok(
        res.body.errors.some((error: string) => error.includes(message)),
        `${JSON.stringify(overrides)}: expected "${message}" in ${JSON.stringify(res.body.errors)}`,
      );
    }
    const notObject = await t.request('POST', `/v2/${PROJECT}/configurations`, { token: w.creator, body: [1] });
    assert.equal(notObject.status, 400);
    assert.equal(await count(), before);
  });

  it('an agent of another project is not an agent of this project (400)', async () => {
    const foreign = await t.request('POST', `/v2/654321/agents`, { token: w.stranger, body: (await import('../helpers/fixtures.js')).agentRegistration() });
    assert.equal(foreign.status, 201, foreign.text);
    const res = await createConfig({ agent_id: foreign.body.id });
    assert.equal(res.status, 400);
    assert.match(res.body.errors[0], /is not an agent of this project/);
  });

  it('roles: observer 403, creator and admin 201, agent token 403, other project 404, no or bad token 401', async () => {
    assert.equal((await createConfig({}, w.observer)).status, 403);
    assert.equal((await createConfig({}, w.admin)).status, 201);
    assert.equal((await createConfig({}, w.agent.token)).status, 403);
    assert.equal((await createConfig({}, w.stranger)).status, 404);
    assert.equal((await t.request('POST', `/v2/${PROJECT}/configurations`, { token: null, body: configBody() })).status, 401);
    assert.equal((await createConfig({}, 'bad-token')).status, 401);
  });
});

describe('configurations: get and list', () => {
  it('get: 200 for observers, 404 unknown or other project, 401 without token', async () => {
    const id = await newConfigId();
    const res = await get(id);
    assert.equal(res.status, 200);
    assert.equal(res.body.id, id);
    assert.equal(res.body.links[0].rel, 'self');
    assert.equal((await get('00000000-0000-0000-0000-000000000000')).status, 404);
    assert.deepEqual((await get('00000000-0000-0000-0000-000000000000')).body, { message: 'Configuration not found.' });
    assert.equal((await get(id, w.stranger)).status, 404);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/configurations/${id}`, { token: null })).status, 401);
  });

  it('list: summary form with rel full first, every configuration, not paginated', async () => {
    const id = await newConfigId({ name: 'listed' });
    const res = await t.request('GET', `/v2/${PROJECT}/configurations`, { token: w.observer });
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body), ['configurations']);
    const item = res.body.configurations.find((c: { id: string }) => c.id === id);
    assert.deepEqual(Object.keys(item).sort(), ['agent', 'backup_window', 'backups', 'bandwidth', 'enabled', 'id', 'links', 'name', 'project_id', 'retention', 'schedule'].sort());
    assert.deepEqual(item.links[0], { href: `${t.url}/v2/${PROJECT}/configurations/${id}`, rel: 'full' });
    assert.equal((await t.request('GET', `/v2/${PROJECT}/configurations`, { token: w.stranger })).status, 404);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/configurations`, { token: null })).status, 401);
  });

  it('restorable=true in any case lists only configurations with restorable backups; a bad value is 400', async () => {
    for (const value of ['true', 'True', 'TRUE']) {
      const res = await t.request('GET', `/v2/${PROJECT}/configurations?restorable=${value}`, { token: w.observer });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.configurations, []);
    }
    const all = await t.request('GET', `/v2/${PROJECT}/configurations?restorable=False`, { token: w.observer });
    assert.ok(all.body.configurations.length > 0);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/configurations?restorable=perhaps`, { token: w.observer })).status, 400);
  });

  it('an empty project lists []', async () => {
    const res = await t.request('GET', `/v2/654321/configurations`, { token: w.stranger });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { configurations: [] });
  });
});

describe('configurations: PATCH', () => {
  it('replaces each listed path (204) and records configuration_changed', async () => {
    const id = await newConfigId();
    const ops = [
      { op: 'replace', path: '/name', value: 'Renamed' },
      { op: 'replace', path: '/enabled', value: false },
      { op: 'replace', path: '/schedule', value: { recurrence: ['RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=14;BYMINUTE=0'], time_zone: 'Europe/Berlin' } },
      { op: 'replace', path: '/retention/days', value: 0 },
      { op: 'replace', path: '/inclusions', value: [{ type: 'folder', path: '/srv/' }] },
      { op: 'replace', path: '/exclusions', value: [{ type: 'folder', path: '/srv/tmp/' }] },
      { op: 'replace', path: '/notifications', value: [{ type: 'email', destination: 'ops@example.com', on_success: false, on_failure: true }] },
    ];
    const res = await patch(id, ops);
    assert.equal(res.status, 204, res.text);
    assert.equal(res.text, '');
    const read = (await get(id)).body;
    assert.equal(read.name, 'Renamed');
    assert.equal(read.enabled, false);
    assert.deepEqual(read.schedule.recurrence, ['RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=14;BYMINUTE=0']);
    assert.equal(read.schedule.time_zone, 'Europe/Berlin');
    assert.deepEqual(read.retention, { days: 0 });
    assert.deepEqual(read.inclusions, [{ type: 'folder', path: '/srv/' }]);
    assert.deepEqual(read.exclusions, [{ type: 'folder', path: '/srv/tmp/' }]);
    assert.equal(read.notifications[0].destination, 'ops@example.com');
    assert.equal(read.backups.next.scheduled_time, null, 'a disabled configuration has no next scheduled backup');
    assert.deepEqual(await eventNames(id), ['configuration_changed', 'configuration_changed']);

    assert.equal((await patch(id, [{ op: 'replace', path: '/enabled', value: true }], w.creator, 'application/json; charset=utf-8')).status, 204);
    const enabled = (await get(id)).body;
    assert.equal(enabled.enabled, true);
    assert.match(enabled.backups.next.scheduled_time, /T\d{2}:00:00Z$/);
  });

  it('refuses add, remove, unlisted paths and bad values with 400; nothing changes', async () => {
    const id = await newConfigId();
    const before = (await get(id)).body;
    const cases: [unknown, RegExp][] = [
      [[{ op: 'add', path: '/name', value: 'x' }], /op "add" is not allowed for path "\/name"; use "replace"/],
      [[{ op: 'remove', path: '/name' }], /op "remove" is not allowed/],
      [[{ op: 'replace', path: '/deleted', value: true }], /path "\/deleted" cannot be changed/],
      [[{ op: 'replace', path: '/agent/id', value: w.otherAgent.id }], /path "\/agent\/id" cannot be changed/],
      [[{ op: 'replace', path: '/retention/days', value: -3 }], /retention.days must be at least 0/],
      [[{ op: 'replace', path: '/name', value: 42 }], /name must be a string/],
      [
        [
          {
            op: 'replace',
            path: '/exclusions',
            value: [
              { type: 'folder', path: '/web/cache/' },
              { type: 'folder', path: '/tmp/' },
            ],
          },
        ],
        /exclusions\[1\]\.path "\/tmp\/" is not under any inclusion/,
      ],
      [[{ op: 'replace', path: '/notifications', value: [] }], /on_failure true/],
      [[{ op: 'replace', path: '/schedule', value: { recurrence: [], time_zone: 'UTC' } }], /schedule.recurrence must hold exactly one RRULE string/],
      [
        [
          { op: 'replace', path: '/name', value: 'ok' },
          { op: 'replace', path: '/enabled', value: 'no' },
        ],
        /enabled must be true or false/,
      ],
      [{ op: 'replace', path: '/name', value: 'x' }, /array/i],
    ];
    for (const [ops, pattern] of cases) {
      const res = await patch(id, ops);
      assert.equal(res.status, 400, `${JSON.stringify(ops)}: ${res.text}`);
      assert.match(`${res.body.message} ${(res.body.errors ?? []).join(' ')}`, pattern);
    }
    assert.deepEqual((await get(id)).body, before);
  });

  it('honours test: a failed test is 409 and changes nothing', async () => {
    const id = await newConfigId({ name: 'tested' });
    assert.equal(
      (
        await patch(id, [
          { op: 'test', path: '/name', value: 'other' },
          { op: 'replace', path: '/name', value: 'x' },
        ])
      ).status,
      409,
    );
    assert.equal((await get(id)).body.name, 'tested');
    assert.equal(
      (
        await patch(id, [
          { op: 'test', path: '/name', value: 'tested' },
          { op: 'replace', path: '/name', value: 'x' },
        ])
      ).status,
      204,
    );
    assert.equal((await get(id)).body.name, 'x');
  });

  it('roles: observer 403, admin 204, agent token 403, other project 404, no token 401, unknown 404', async () => {
    const id = await newConfigId();
    const op = [{ op: 'replace', path: '/name', value: 'n' }];
    assert.equal((await patch(id, op, w.observer)).status, 403);
    assert.equal((await patch(id, op, w.admin)).status, 204);
    assert.equal((await patch(id, op, w.agent.token)).status, 403);
    assert.equal((await patch(id, op, w.stranger)).status, 404);
    assert.equal((await t.request('PATCH', `/v2/${PROJECT}/configurations/${id}`, { token: null, body: op })).status, 401);
    assert.equal((await patch('nope', op)).status, 404);
  });
});

describe('configurations: DELETE', () => {
  it('admin only; soft delete: GET shows deleted true, lists hide it, PATCH is 409, deleting again is 204', async () => {
    const id = await newConfigId({ name: 'to delete' });
    assert.equal((await t.request('DELETE', `/v2/${PROJECT}/configurations/${id}`, { token: w.observer })).status, 403);
    assert.equal((await t.request('DELETE', `/v2/${PROJECT}/configurations/${id}`, { token: w.creator })).status, 403);
    assert.equal((await t.request('DELETE', `/v2/${PROJECT}/configurations/${id}`, { token: w.stranger })).status, 404);
    assert.equal((await t.request('DELETE', `/v2/${PROJECT}/configurations/${id}`, { token: null })).status, 401);
    // The Python SDK sends an empty body with a JSON content type.
    const res = await t.request('DELETE', `/v2/${PROJECT}/configurations/${id}`, { token: w.admin, raw: '', contentType: 'application/json; charset=utf-8' });
    assert.equal(res.status, 204, res.text);
    const read = await get(id);
    assert.equal(read.status, 200);
    assert.equal(read.body.deleted, true);
    assert.equal(read.body.backups.next.scheduled_time, null);
    const list = await t.request('GET', `/v2/${PROJECT}/configurations`, { token: w.observer });
    assert.ok(!list.body.configurations.some((c: { id: string }) => c.id === id));
    const agentList = await t.request('GET', `/v2/${PROJECT}/agents/${w.agent.id}/configurations`, { token: w.observer });
    assert.ok(!agentList.body.configurations.some((c: { id: string }) => c.id === id));
    const refused = await patch(id, [{ op: 'replace', path: '/name', value: 'x' }]);
    assert.equal(refused.status, 409);
    assert.deepEqual(refused.body, { message: 'The configuration has been deleted and cannot be changed.' });
    assert.equal((await t.request('DELETE', `/v2/${PROJECT}/configurations/${id}`, { token: w.admin })).status, 204);
    assert.deepEqual(await eventNames(id), ['configuration_changed', 'configuration_changed']);
    assert.equal((await t.request('DELETE', `/v2/${PROJECT}/configurations/nope`, { token: w.admin })).status, 404);
  });
});

describe("agents: the agent's configurations and configuration document", () => {
  it('GET /agents/{id}/configurations lists that agent only, in summary form', async () => {
    const mine = await newConfigId();
    const theirs = await newConfigId({ agent_id: w.otherAgent.id, inclusions: [{ type: 'folder', path: '/' }], exclusions: [] });
    const res = await t.request('GET', `/v2/${PROJECT}/agents/${w.otherAgent.id}/configurations`, { token: w.observer });
    assert.equal(res.status, 200);
    const ids = res.body.configurations.map((c: { id: string }) => c.id);
    assert.ok(ids.includes(theirs));
    assert.ok(!ids.includes(mine));
    assert.equal(res.body.configurations[0].links[0].rel, 'full');
    assert.equal(res.body.configurations[0].inclusions, undefined);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/agents/${w.otherAgent.id}/configurations`, { token: w.otherAgent.token })).status, 200);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/agents/${w.otherAgent.id}/configurations`, { token: w.agent.token })).status, 404);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/agents/${w.otherAgent.id}/configurations`, { token: w.stranger })).status, 404);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/agents/nope/configurations`, { token: w.observer })).status, 404);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/agents/${w.otherAgent.id}/configurations`, { token: null })).status, 401);
  });

  it('GET /agents/{id}/configuration: preferences, this server as event host, vault links, next three times, schedule and backups.next', async () => {
    const id = await newConfigId({ name: 'for the document' });
    const manual = await newConfigId({ name: 'manual', schedule: null });
    const res = await t.request('GET', `/v2/${PROJECT}/agents/${w.agent.id}/configuration`, { token: w.agent.token });
    assert.equal(res.status, 200, res.text);
    const doc = res.body;
    assert.equal(doc.system_preferences.logging.level, 'info');
    assert.equal(doc.system_preferences.events.rse.host, t.url);
    assert.equal(doc.system_preferences.events.rse.channel, `/v2/${PROJECT}/agents/${w.agent.id}/events`);
    assert.deepEqual(doc.system_preferences.events.rse.polling.interval_ms, { idle: 10000, active: 1000, real_time: 300 });
    assert.deepEqual(doc.system_preferences.events.rse.heartbeat.timeout_ms, { idle: 900000, active: 75000, real_time: 75000 });
    assert.equal(doc.system_preferences.events.rse.heartbeat.interval_ms.idle, 300000, 'idle agents heartbeat at least every 5 minutes');
    assert.deepEqual(doc.system_preferences.environment.minimum_disk_space_mb, { backup: 100, restore: 100, cleanup: 100 });
    assert.equal(doc.vaults.length, 1);
    assert.equal(doc.vaults[0].id, w.agent.vaultId);
    assert.equal(doc.vaults[0].encrypted, false);
    assert.deepEqual(
      doc.vaults[0].links.map((l: { rel: string }) => l.rel),
      ['publicURL', 'internalURL', 'data_services'],
    );
    assert.equal(doc.vaults[0].links[0].href, `${t.url}/vaults/${w.agent.vaultId}`);
    const entry = doc.configurations.find((c: { id: string }) => c.id === id);
    assert.deepEqual(Object.keys(entry).sort(), ['backup_window', 'backups', 'bandwidth', 'enabled', 'exclusions', 'id', 'inclusions', 'name', 'retention', 'schedule', 'times', 'vault_id'].sort());
    assert.equal(entry.vault_id, w.agent.vaultId);
    assert.equal(entry.times.length, 3);
    const hours = entry.times.map((time: string) => Date.parse(time));
    assert.equal(hours[1] - hours[0], 2 * 3600_000);
    assert.equal(hours[2] - hours[1], 2 * 3600_000);
    assert.equal(entry.backups.next.scheduled_time, entry.times[0]);
    assert.deepEqual(entry.schedule.recurrence, ['RRULE:FREQ=HOURLY;INTERVAL=2']);
    assert.match(entry.schedule.start, /Z$/);
    const manualEntry = doc.configurations.find((c: { id: string }) => c.id === manual);
    assert.equal(manualEntry.times, null);
    assert.equal(manualEntry.schedule, null);
    assert.deepEqual(manualEntry.backups, { next: { scheduled_time: null } });
    assert.ok(doc.configurations.every((c: { id: string }) => c.id !== undefined));
  });

  it('logging.level follows the agent log_level; roles and scope of the document', async () => {
    await t.server.ctx.store.db.updateTable('agents').set({ log_level: 'warn' }).where('id', '=', w.otherAgent.id).execute();
    const path = `/v2/${PROJECT}/agents/${w.otherAgent.id}/configuration`;
    const res = await t.request('GET', path, { token: w.observer });
    assert.equal(res.status, 200);
    assert.equal(res.body.system_preferences.logging.level, 'warn');
    assert.equal((await t.request('GET', path, { token: w.agent.token })).status, 404);
    assert.equal((await t.request('GET', path, { token: w.stranger })).status, 404);
    assert.equal((await t.request('GET', path, { token: null })).status, 401);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/agents/nope/configuration`, { token: w.observer })).status, 404);
  });
});
