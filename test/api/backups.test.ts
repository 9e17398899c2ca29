import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { markMissedBackups } from '../../src/resources/backups/missed-backup-scheduler.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../helpers/test-server.js';
import { buildWorld, patchHeaders, PROJECT, registerAgent, type World } from '../helpers/fixtures.js';
import { itemAt } from '../helpers/indexing.js';

const TERMINAL_MESSAGE = "Modifying a backup that is already in a state of ['completed', 'completed_with_errors', 'failed', 'stopped', 'skipped', 'missed'] is not allowed.";

let t: TestServer;
let w: World;
let configId: string;

before(async () => {
  t = await startTestServer();
  w = await buildWorld(t);
  configId = await newConfig();
  // These tests leave many backups of one agent unfinished; scheduled ones must not wait in the queue for a place on
  // it (test/api/backup-queue-rules.test.ts tests the queue).
  const limits = await t.request('PUT', `/v2/${PROJECT}/agents/${w.agent.id}/limits`, { token: w.admin, body: { max_running_jobs: 16 } });
  assert.equal(limits.status, 204, limits.text);
});
after(async () => t.close());

async function newConfig(overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await t.request('POST', `/v2/${PROJECT}/configurations`, {
    token: w.creator,
    body: {
      agent_id: w.agent.id,
      name: 'Nightly',
      enabled: true,
      schedule: { recurrence: ['RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=2;BYMINUTE=0'], time_zone: 'America/Chicago' },
      retention: { days: 30 },
      inclusions: [{ type: 'folder', path: '/web/' }],
      exclusions: [],
      notifications: [{ type: 'email', destination: 'ops@example.com', on_success: false, on_failure: true }],
      ...overrides,
    },
  });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

function startBackup(token = w.creator, state = 'start_requested', configuration = configId, headers: Record<string, string> = {}) {
  return t.request('POST', `/v2/${PROJECT}/backups`, { token, body: { configuration_id: configuration, state }, headers });
}

async function newBackup(configuration = configId): Promise<string> {
  const res = await startBackup(w.creator, 'start_requested', configuration);
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

function patch(id: string, ops: unknown, token: string, headers: Record<string, string> = {}) {
  return t.request('PATCH', `/v2/${PROJECT}/backups/${id}`, { token, raw: JSON.stringify(ops), headers: { ...patchHeaders, ...headers } });
}

const setState = (state: string) => [{ op: 'replace', path: '/state', value: state }];
const get = (id: string, token = w.observer) => t.request('GET', `/v2/${PROJECT}/backups/${id}`, { token });

const RESULT_ERRORS = {
  count: 1,
  reason: 'unable_to_process_some_files',
  diagnostics: 'Some files could not be backed up. Partial list follows.',
  list: [
    {
      index: 0,
      path: 'C:\\Users\\admin\\AppData\\Local\\Temp\\3\\AdobeARM.log',
      type: 'file_or_folder_missing',
      exception: { code: 3015, description: 'GetLastError(...) Cannot open file', details: 'Ex Code(3015)' },
    },
  ],
};

function completionReport(state = 'completed_with_errors', snapshot = 1111, endedTime = '2014-08-05T18:23:50.489715Z') {
  return [
    { op: 'replace', path: '/state', value: state },
    { op: 'add', path: '/started_time', value: '2014-08-05T18:22:22.238641Z' },
    { op: 'add', path: '/ended_time', value: endedTime },
    { op: 'add', path: '/snapshot_id', value: snapshot },
    { op: 'add', path: '/errors', value: RESULT_ERRORS },
    { op: 'add', path: '/files_searched', value: 1222 },
    { op: 'add', path: '/files_backed_up', value: 6 },
    { op: 'add', path: '/bytes_searched', value: 3700000000 },
    { op: 'add', path: '/bytes_backed_up', value: 127000000 },
    { op: 'add', path: '/bytes_in_db', value: 49340871 },
    { op: 'add', path: '/bandwidth_avg_bps', value: 16628982 },
  ];
}

async function events(subjectId: string) {
  const rows = await t.server.ctx.store.db.selectFrom('events').selectAll().where('subject_id', '=', subjectId).orderBy('id').execute();
  return rows.map((row) => ({ name: row.name, body: JSON.parse(row.body) }));
}

describe('backups: start', () => {
  it('a user starts a backup: 201, Location, the §3.3 representation and a backup_start_request event', async () => {
    const res = await startBackup();
    assert.equal(res.status, 201, res.text);
    const id = res.body.id;
    assert.equal(res.headers.get('location'), `${t.url}/v2/${PROJECT}/backups/${id}`);
    assert.deepEqual(
      Object.keys(res.body).sort(),
      [
        'agent',
        'bandwidth_avg_bps',
        'bytes_backed_up',
        'bytes_in_db',
        'bytes_searched',
        'configuration',
        'ended_time',
        'errors',
        'files_backed_up',
        'files_searched',
        'id',
        'links',
        'project_id',
        'queue_position',
        'restorable',
        'snapshot_id',
        'started_time',
        'state',
      ].sort(),
    );
    assert.equal(res.body.state, 'start_requested');
    assert.equal(res.body.snapshot_id, null);
    assert.equal(res.body.restorable, false);
    assert.equal(res.body.queue_position, null);
    assert.equal(res.body.files_searched, 0);
    assert.deepEqual(res.body.agent, { id: w.agent.id, links: [{ href: `${t.url}/v2/${PROJECT}/agents/${w.agent.id}`, rel: 'full' }] });
    assert.deepEqual(res.body.configuration, { id: configId, links: [{ href: `${t.url}/v2/${PROJECT}/configurations/${configId}`, rel: 'full' }] });
    assert.deepEqual(res.body.errors, { count: 0, reason: '', diagnostics: '', links: [{ href: `${t.url}/v2/${PROJECT}/backups/${id}/errors`, rel: 'full' }] });
    assert.deepEqual(res.body.links, [
      { href: `${t.url}/v2/${PROJECT}/backups/${id}`, rel: 'self' },
      { href: `${t.url}/v2/${PROJECT}/backups/${id}/events`, rel: 'events' },
    ]);
    const recorded = await events(id);
    assert.deepEqual(
      recorded.map((e) => e.name),
      ['backup_start_request'],
    );
    assert.deepEqual(itemAt(recorded, 0).body, { agent: { id: w.agent.id }, configuration: { id: configId }, backup: { id, scheduled: false }, request_id: id });
  });

  it('the agent starts a scheduled backup with its token; no start request event', async () => {
    const byToken = await startBackup(w.agent.token, 'start_scheduled');
    assert.equal(byToken.status, 201, byToken.text);
    assert.equal(byToken.body.state, 'start_scheduled');
    assert.deepEqual(await events(byToken.body.id), []);
  });

  it("a scheduled start needs the configuration agent's own token: a user (X-Agent-Id or not) 403, another agent 403", async () => {
    assert.equal((await startBackup(w.creator, 'start_scheduled')).status, 403);
    assert.equal((await startBackup(w.creator, 'start_scheduled', configId, { 'x-agent-id': w.agent.id })).status, 403);
    assert.equal((await startBackup(w.creator, 'start_scheduled', configId, { 'x-agent-id': w.otherAgent.id })).status, 403);
    assert.equal((await startBackup(w.otherAgent.token, 'start_scheduled')).status, 403);
    assert.equal((await startBackup(w.otherAgent.token, 'start_requested')).status, 403);
  });

  it('bad bodies → 400 naming the problem; nothing is written', async () => {
    const before = (await t.request('GET', `/v2/${PROJECT}/backups?limit=1000`, { token: w.admin })).body.backups.length;
    const cases: [unknown, RegExp][] = [
      [{ state: 'start_requested' }, /configuration_id is required/],
      [{ configuration_id: configId }, /state is required/],
      [{ configuration_id: configId, state: 'queued' }, /state must be one of start_requested, start_scheduled/],
      [{ configuration_id: 7, state: 'start_requested' }, /configuration_id must be a string/],
      [{ configuration_id: 'nope', state: 'start_requested' }, /configuration_id nope is not a configuration of this project/],
      ['text', /must be a JSON object/],
    ];
    for (const [body, pattern] of cases) {
      const res = await t.request('POST', `/v2/${PROJECT}/backups`, { token: w.creator, body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(res.body.errors.join(' '), pattern);
    }
    assert.equal((await t.request('GET', `/v2/${PROJECT}/backups?limit=1000`, { token: w.admin })).body.backups.length, before);
  });

  it('409 for a disabled or deleted configuration and for a disabled agent', async () => {
    const disabled = await newConfig({ enabled: false });
    const res = await startBackup(w.creator, 'start_requested', disabled);
    assert.equal(res.status, 409);
    assert.deepEqual(res.body, { message: 'The configuration is disabled; enable it before starting a backup.' });
    assert.equal((await startBackup(w.agent.token, 'start_scheduled', disabled)).status, 409);

    const deleted = await newConfig();
    assert.equal((await t.request('DELETE', `/v2/${PROJECT}/configurations/${deleted}`, { token: w.admin })).status, 204);
    const refused = await startBackup(w.creator, 'start_requested', deleted);
    assert.equal(refused.status, 409);
    assert.deepEqual(refused.body, { message: 'The configuration has been deleted; it takes no new backups.' });

    const agent = await registerAgent(t, w.admin);
    const ofDisabledAgent = await newConfig({ agent_id: agent.id });
    await t.server.ctx.store.db.updateTable('agents').set({ enabled: 0 }).where('id', '=', agent.id).execute();
    const noAgent = await startBackup(w.creator, 'start_requested', ofDisabledAgent);
    assert.equal(noAgent.status, 409);
    assert.deepEqual(noAgent.body, { message: 'The agent is disabled; enable it before starting a backup.' });
  });

  it('roles: observer 403, admin 201, other project 404, no or bad token 401', async () => {
    assert.equal((await startBackup(w.observer)).status, 403);
    assert.equal((await startBackup(w.admin)).status, 201);
    assert.equal((await startBackup(w.stranger)).status, 404);
    assert.equal((await startBackup('bad-token')).status, 401);
    assert.equal((await t.request('POST', `/v2/${PROJECT}/backups`, { token: null, body: { configuration_id: configId, state: 'start_requested' } })).status, 401);
  });
});

describe('backups: agent reports by JSON Patch', () => {
  it('progress then every result path of §3.3; restorable; the configuration records last_completed', async () => {
    const config = await newConfig();
    const id = await newBackup(config);
    for (const state of ['queued', 'preparing', 'in_progress']) assert.equal((await patch(id, setState(state), w.agent.token)).status, 204);
    const res = await patch(id, completionReport(), w.agent.token, { 'content-type': 'application/json' });
    assert.equal(res.status, 204, res.text);
    const read = (await get(id)).body;
    assert.equal(read.state, 'completed_with_errors');
    assert.equal(read.started_time, '2014-08-05T18:22:22.238641Z');
    assert.equal(read.ended_time, '2014-08-05T18:23:50.489715Z');
    assert.equal(read.snapshot_id, 1111);
    assert.equal(read.files_searched, 1222);
    assert.equal(read.files_backed_up, 6);
    assert.equal(read.bytes_searched, 3700000000);
    assert.equal(read.bytes_backed_up, 127000000);
    assert.equal(read.bytes_in_db, 49340871);
    assert.equal(read.bandwidth_avg_bps, 16628982);
    assert.equal(read.errors.count, 1);
    assert.equal(read.errors.reason, 'unable_to_process_some_files');
    // ended in 2014 with 30 days of retention: expired.
    assert.equal(read.restorable, false);
    assert.deepEqual(
      (await events(id)).map((e) => e.name),
      ['backup_start_request', 'backup_queued', 'backup_preparing', 'backup_in_progress', 'backup_completed'],
    );
    const configuration = (await t.request('GET', `/v2/${PROJECT}/configurations/${config}`, { token: w.observer })).body;
    assert.deepEqual(configuration.backups.last_completed, { id, links: [{ href: `${t.url}/v2/${PROJECT}/backups/${id}`, rel: 'full' }] });

    // retention 0 keeps every backup forever
    assert.equal((await t.request('PATCH', `/v2/${PROJECT}/configurations/${config}`, { token: w.creator, body: [{ op: 'replace', path: '/retention/days', value: 0 }] })).status, 204);
    assert.equal((await get(id)).body.restorable, true);
  });

  it('last_completed stays with the newest backup when an older one completes later', async () => {
    const config = await newConfig();
    const older = await newBackup(config);
    const newer = await newBackup(config);
    assert.equal((await patch(newer, setState('completed'), w.agent.token)).status, 204);
    assert.equal((await patch(older, setState('completed_with_errors'), w.agent.token)).status, 204);
    const read = await t.request('GET', `/v2/${PROJECT}/configurations/${config}`, { token: w.observer });
    assert.equal(read.body.backups.last_completed.id, newer);
  });

  it('restorable needs a snapshot id and a completed state, and is false once retention has passed', async () => {
    const config = await newConfig({ retention: { days: 2 } });
    const recent = new Date(Date.now() - 86_400_000).toISOString();
    const old = new Date(Date.now() - 3 * 86_400_000).toISOString();
    const fresh = await newBackup(config);
    assert.equal((await patch(fresh, completionReport('completed', 5, recent), w.agent.token)).status, 204);
    assert.equal((await get(fresh)).body.restorable, true);
    const expired = await newBackup(config);
    assert.equal((await patch(expired, completionReport('completed', 6, old), w.agent.token)).status, 204);
    assert.equal((await get(expired)).body.restorable, false);
    const noSnapshot = await newBackup(config);
    assert.equal((await patch(noSnapshot, setState('completed'), w.agent.token)).status, 204);
    assert.equal((await get(noSnapshot)).body.restorable, false);
    const failed = await newBackup(config);
    assert.equal((await patch(failed, [...setState('failed'), { op: 'add', path: '/snapshot_id', value: 7 }], w.agent.token)).status, 204);
    assert.equal((await get(failed)).body.restorable, false);

    const list = await t.request('GET', `/v2/${PROJECT}/backups?restorable=True&configuration_id=${config}`, { token: w.observer });
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.backups.map((b: { id: string }) => b.id),
      [fresh],
    );
    // The unfiltered page presents each item's restorable, read for the page's own vaults.
    const page = await t.request('GET', `/v2/${PROJECT}/backups?configuration_id=${config}`, { token: w.observer });
    assert.deepEqual(Object.fromEntries(page.body.backups.map((b: { id: string; restorable: boolean }) => [b.id, b.restorable])), {
      [fresh]: true,
      [expired]: false,
      [noSnapshot]: false,
      [failed]: false,
    });
    const configs = await t.request('GET', `/v2/${PROJECT}/configurations?restorable=true`, { token: w.observer });
    assert.ok(configs.body.configurations.some((c: { id: string }) => c.id === config));
  });

  it('a user may only ask to stop: stop_requested 204 with backup_stop_request, then the agent ends it', async () => {
    const id = await newBackup();
    assert.equal((await patch(id, setState('in_progress'), w.agent.token)).status, 204);
    assert.equal((await patch(id, setState('stop_requested'), w.creator)).status, 204);
    const stop = (await events(id)).find((e) => e.name === 'backup_stop_request');
    assert.ok(stop);
    assert.equal(typeof stop.body.request_id, 'string');
    assert.equal((await patch(id, setState('queued'), w.creator)).status, 403);
    assert.equal((await patch(id, [{ op: 'add', path: '/files_searched', value: 1 }], w.creator)).status, 403);
    assert.equal((await patch(id, setState('in_progress'), w.agent.token)).status, 409);
    assert.equal((await patch(id, setState('stopped'), w.agent.token)).status, 204);
    assert.equal((await get(id)).body.state, 'stopped');
  });

  it("a user token with the agent's X-Agent-Id is the user (403); the agent's own token reports", async () => {
    const id = await newBackup();
    assert.equal((await patch(id, setState('queued'), w.creator, { 'x-agent-id': w.agent.id })).status, 403);
    assert.equal((await patch(id, setState('queued'), w.agent.token, { 'x-agent-id': w.agent.id })).status, 204);
    assert.equal((await patch(id, setState('skipped'), w.agent.token, { 'x-agent-id': w.agent.id })).status, 204);
    assert.equal((await get(id)).body.state, 'skipped');
    const skipped = (await events(id)).find((e) => e.name === 'backup_skipped');
    assert.equal(typeof skipped?.body.request_id, 'string');
  });

  it('refusals: terminal 409 with the documented text, backwards 409, bad values and paths 400, roles', async () => {
    const id = await newBackup();
    assert.equal((await patch(id, setState('in_progress'), w.agent.token)).status, 204);
    const backwards = await patch(id, setState('queued'), w.agent.token);
    assert.equal(backwards.status, 409);
    const cases: [unknown, RegExp][] = [
      [setState('dancing'), /"dancing" is not a valid backup state/],
      [[{ op: 'add', path: '/snapshot_id', value: 'abc' }], /"\/snapshot_id" must be a non-negative integer or null/],
      [[{ op: 'add', path: '/bytes_in_db', value: -1 }], /"\/bytes_in_db" must be a non-negative integer/],
      [[{ op: 'add', path: '/ended_time', value: 'yesterday' }], /"\/ended_time" must be an ISO-8601 date-time/],
      [[{ op: 'add', path: '/restorable', value: true }], /path "\/restorable" cannot be changed/],
      [[{ op: 'remove', path: '/state' }], /op "remove" is not allowed/],
      [[{ op: 'add', path: '/errors', value: 'many' }], /"\/errors" must be an object/],
    ];
    for (const [ops, pattern] of cases) {
      const res = await patch(id, ops, w.agent.token);
      assert.equal(res.status, 400, `${JSON.stringify(ops)}: ${res.text}`);
      assert.match(res.body.message, pattern);
    }
    assert.equal((await patch(id, setState('in_progress'), w.agent.token)).status, 204, 'the same state again changes nothing');
    assert.equal((await events(id)).filter((e) => e.name === 'backup_in_progress').length, 1);
    assert.equal((await patch(id, setState('completed'), w.otherAgent.token)).status, 404);
    assert.equal((await patch(id, setState('stop_requested'), w.observer)).status, 403);
    assert.equal((await patch(id, setState('stop_requested'), w.stranger)).status, 404);
    assert.equal((await t.request('PATCH', `/v2/${PROJECT}/backups/${id}`, { token: null, body: setState('stop_requested') })).status, 401);
    assert.equal((await patch('nope', setState('completed'), w.agent.token)).status, 404);
    assert.equal((await patch(id, [{ op: 'test', path: '/state', value: 'queued' }, ...setState('completed')], w.agent.token)).status, 409);
    assert.equal((await patch(id, [{ op: 'test', path: '/state', value: 'in_progress' }, ...setState('completed')], w.agent.token)).status, 204);
    const terminal = await patch(id, setState('failed'), w.agent.token);
    assert.equal(terminal.status, 409);
    assert.deepEqual(terminal.body, { message: TERMINAL_MESSAGE });
    assert.equal((await patch(id, setState('missed'), w.agent.token)).status, 403, 'missed is the server’s to set');
  });
});

describe('backups: get, errors, list', () => {
  it('get and errors: documented shapes with server-side descriptions; 404 and roles', async () => {
    const id = await newBackup();
    assert.equal((await patch(id, completionReport('completed_with_errors', 42), w.agent.token)).status, 204);
    const errors = await t.request('GET', `/v2/${PROJECT}/backups/${id}/errors`, { token: w.observer });
    assert.equal(errors.status, 200);
    assert.deepEqual(errors.body, {
      count: 1,
      reason: 'unable_to_process_some_files',
      diagnostics: 'Some files could not be backed up. Partial list follows.',
      list: [{ ...RESULT_ERRORS.list[0], description: 'The item was found during the search but was missing when we tried to back it up.' }],
      links: [{ href: `${t.url}/v2/${PROJECT}/backups/${id}/errors`, rel: 'self' }],
    });
    assert.equal((await t.request('GET', `/v2/${PROJECT}/backups/${id}/errors`, { token: w.stranger })).status, 404);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/backups/nope/errors`, { token: w.observer })).status, 404);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/backups/${id}/errors`, { token: null })).status, 401);
    assert.equal((await get(id, w.agent.token)).status, 200);
    assert.equal((await get(id, w.stranger)).status, 404);
    assert.deepEqual((await get('nope')).body, { message: 'Backup not found.' });
    assert.equal((await t.request('GET', `/v2/${PROJECT}/backups/${id}`, { token: null })).status, 401);
  });

  it('list: newest first, paging links keep the filters, configuration_id alone filters, bad values 400', async () => {
    const config = await newConfig();
    const ids = [await newBackup(config), await newBackup(config), await newBackup(config)];
    const page = await t.request('GET', `/v2/${PROJECT}/backups?configuration_id=${config}&limit=2`, { token: w.observer });
    assert.equal(page.status, 200);
    assert.deepEqual(
      page.body.backups.map((b: { id: string }) => b.id),
      [ids[2], ids[1]],
    );
    assert.deepEqual(page.body.links, [
      { href: `${t.url}/v2/${PROJECT}/backups?marker=${ids[1]}&limit=2&configuration_id=${config}`, rel: 'next' },
      { href: `${t.url}/v2/${PROJECT}/backups?marker=${ids[2]}&limit=2&sort_dir=asc&configuration_id=${config}`, rel: 'previous' },
    ]);
    const next = await t.request('GET', new URL(page.body.links[0].href).pathname + new URL(page.body.links[0].href).search, { token: w.observer });
    assert.deepEqual(
      next.body.backups.map((b: { id: string }) => b.id),
      [ids[0]],
    );
    assert.equal((await t.request('GET', `/v2/${PROJECT}/backups?restorable=maybe`, { token: w.observer })).status, 400);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/backups?limit=0`, { token: w.observer })).status, 400);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/backups?marker=nope`, { token: w.observer })).status, 400);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/backups`, { token: w.stranger })).status, 404);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/backups`, { token: null })).status, 401);
    const unknownConfig = await t.request('GET', `/v2/${PROJECT}/backups?restorable=TRUE&configuration_id=nope`, { token: w.observer });
    assert.deepEqual(unknownConfig.body, { backups: [] });
  });
});

describe('backups: missed', () => {
  const HOUR = 3_600_000;

  async function hourlyConfigAt(start: string, agentId = w.agent.id): Promise<string> {
    const id = await newConfig({ agent_id: agentId, schedule: { recurrence: ['RRULE:FREQ=HOURLY;INTERVAL=1'], time_zone: 'UTC' } });
    await t.server.ctx.store.db
      .updateTable('configurations')
      .set({ created_at: start, next_scheduled_time: new Date(Date.parse(start) + HOUR).toISOString() })
      .where('id', '=', id)
      .execute();
    return id;
  }

  async function backupsOf(configuration: string) {
    return t.server.ctx.store.db.selectFrom('jobs').selectAll().where('configuration_id', '=', configuration).orderBy('seq').execute();
  }

  it('marks each scheduled time that passed the grace period without a backup, once, with backup_missed', async () => {
    const config = await hourlyConfigAt('2026-01-01T00:00:00.000000Z');
    // A backup the agent started 5 minutes after 02:00 honours that time.
    const honoured = await newBackup(config);
    await t.server.ctx.store.db.updateTable('jobs').set({ created_at: '2026-01-01T02:05:00.000000Z' }).where('id', '=', honoured).execute();

    const now = new Date('2026-01-01T03:05:00Z');
    const grace = 10 * 60_000;
    await markMissedBackups(t.server.ctx, { now, graceMs: grace });
    // 01:00 missed, 02:00 honoured, 03:00 still inside its grace period.
    let rows = (await backupsOf(config)).filter((row) => row.state === 'missed');
    assert.deepEqual(
      rows.map((row) => row.scheduled_time),
      ['2026-01-01T01:00:00.000000Z'],
    );
    assert.equal(itemAt(rows, 0).started_by, 'server');

    await markMissedBackups(t.server.ctx, { now: new Date('2026-01-01T03:11:00Z'), graceMs: grace });
    await markMissedBackups(t.server.ctx, { now: new Date('2026-01-01T03:12:00Z'), graceMs: grace });
    rows = (await backupsOf(config)).filter((row) => row.state === 'missed');
    assert.deepEqual(
      rows.map((row) => row.scheduled_time),
      ['2026-01-01T01:00:00.000000Z', '2026-01-01T03:00:00.000000Z'],
    );

    const missedId = itemAt(rows, 0).id;
    const recorded = await events(missedId);
    assert.deepEqual(
      recorded.map((e) => e.name),
      ['backup_missed'],
    );
    const { body } = itemAt(recorded, 0);
    assert.deepEqual(body.agent, { id: w.agent.id });
    assert.deepEqual(body.configuration, { id: config });
    assert.deepEqual(body.backup, { id: missedId });
    const read = await get(missedId);
    assert.equal(read.status, 200);
    assert.equal(read.body.state, 'missed');
    assert.equal(read.body.restorable, false);
    const terminal = await patch(missedId, setState('completed'), w.agent.token);
    assert.equal(terminal.status, 409);
  });

  it('judges the schedule in its time zone across a daylight-saving change (Chicago, 2026-03-08)', async () => {
    const config = await newConfig({ schedule: { recurrence: ['RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=2;BYMINUTE=30'], time_zone: 'America/Chicago' } });
    await t.server.ctx.store.db.updateTable('configurations').set({ created_at: '2026-03-06T12:00:00.000000Z', next_scheduled_time: '2026-03-07T08:30:00.000Z' }).where('id', '=', config).execute();
    await markMissedBackups(t.server.ctx, { now: new Date('2026-03-09T12:00:00Z'), graceMs: 10 * 60_000, horizonMs: 7 * 86_400_000 });
    // 02:30 CST; 02:30 does not exist on the 8th and runs at 03:30 CDT; 02:30 CDT.
    assert.deepEqual(
      (await backupsOf(config)).map((row) => row.scheduled_time),
      ['2026-03-07T08:30:00.000000Z', '2026-03-08T08:30:00.000000Z', '2026-03-09T07:30:00.000000Z'],
    );
  });

  it("times outside the configuration's backup window are no backup times: never judged missed", async () => {
    const id = await newConfig({ schedule: { recurrence: ['RRULE:FREQ=HOURLY;INTERVAL=1'], time_zone: 'UTC' }, backup_window: { start: '22:00', end: '02:00', outside: 'pause' } });
    // Created at midnight: its first time inside the window is 01:00 (02:00 is the window's end, outside).
    await t.server.ctx.store.db.updateTable('configurations').set({ created_at: '2026-05-01T00:00:00.000000Z', next_scheduled_time: '2026-05-01T01:00:00.000Z' }).where('id', '=', id).execute();
    await markMissedBackups(t.server.ctx, { now: new Date('2026-05-02T00:30:00Z'), graceMs: 10 * 60_000 });
    assert.deepEqual(
      (await backupsOf(id)).map((row) => row.scheduled_time),
      ['2026-05-01T01:00:00.000000Z', '2026-05-01T22:00:00.000000Z', '2026-05-01T23:00:00.000000Z', '2026-05-02T00:00:00.000000Z'],
    );
    const stored = await t.server.ctx.store.db.selectFrom('configurations').select('next_scheduled_time').where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(stored.next_scheduled_time, '2026-05-02T01:00:00.000Z', 'the next time to judge is inside the window');
  });

  it('times older than the horizon (one day by default) pass without a record', async () => {
    const config = await hourlyConfigAt('2026-04-01T00:00:00.000000Z');
    await markMissedBackups(t.server.ctx, { now: new Date('2026-04-03T00:30:00Z'), graceMs: 10 * 60_000 });
    const times = (await backupsOf(config)).map((row) => row.scheduled_time);
    assert.equal(times.length, 24);
    assert.equal(times[0], '2026-04-02T01:00:00.000000Z');
    assert.equal(times[23], '2026-04-03T00:00:00.000000Z');
  });

  it('disabled configurations are not judged, and enabling restarts the count from then', async () => {
    const config = await hourlyConfigAt('2026-02-01T00:00:00.000000Z');
    await t.request('PATCH', `/v2/${PROJECT}/configurations/${config}`, { token: w.creator, body: [{ op: 'replace', path: '/enabled', value: false }] });
    await markMissedBackups(t.server.ctx, { now: new Date('2026-02-01T05:00:00Z'), graceMs: 60_000 });
    assert.equal((await backupsOf(config)).length, 0);
    await t.request('PATCH', `/v2/${PROJECT}/configurations/${config}`, { token: w.creator, body: [{ op: 'replace', path: '/enabled', value: true }] });
    const due = await t.server.ctx.store.db.selectFrom('configurations').select('next_scheduled_time').where('id', '=', config).executeTakeFirstOrThrow();
    assert.ok(Date.parse(due.next_scheduled_time!) > Date.now(), 'the next judged time is in the future');
    await markMissedBackups(t.server.ctx, { now: new Date(), graceMs: 60_000 });
    assert.equal((await backupsOf(config)).length, 0);
  });

  it('the server runs the check on its own timer (COFFER_MISSED_CHECK_SECONDS, COFFER_MISSED_GRACE_SECONDS)', async () => {
    process.env.COFFER_MISSED_CHECK_SECONDS = '1';
    process.env.COFFER_MISSED_GRACE_SECONDS = '0';
    const own = await startTestServer();
    delete process.env.COFFER_MISSED_CHECK_SECONDS;
    delete process.env.COFFER_MISSED_GRACE_SECONDS;
    try {
      const agent = await registerAgent(own, ADMIN_TOKEN);
      const created = await own.request('POST', `/v2/${PROJECT}/configurations`, {
        body: {
          agent_id: agent.id,
          name: 'timer',
          enabled: true,
          schedule: { recurrence: ['RRULE:FREQ=HOURLY;INTERVAL=1'], time_zone: 'UTC' },
          retention: { days: 1 },
          inclusions: [{ type: 'folder', path: '/' }],
          exclusions: [],
          notifications: [{ type: 'email', destination: 'a@example.com', on_success: false, on_failure: true }],
        },
      });
      assert.equal(created.status, 201, created.text);
      const db = own.server.ctx.store.db;
      await db.updateTable('configurations').set({ created_at: '2026-01-01T00:00:00.000000Z', next_scheduled_time: '2026-01-01T01:00:00.000Z' }).where('id', '=', created.body.id).execute();
      let missed: unknown[] = [];
      for (let attempt = 0; attempt < 40 && missed.length === 0; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        missed = await db.selectFrom('jobs').select('id').where('configuration_id', '=', created.body.id).where('state', '=', 'missed').execute();
      }
      assert.ok(missed.length > 0, 'the timer marked the past scheduled times missed');
    } finally {
      await own.close();
    }
  });

  it("a disabled agent's scheduled times pass without a missed record", async () => {
    const agent = await registerAgent(t, w.admin);
    const config = await hourlyConfigAt('2026-03-01T00:00:00.000000Z', agent.id);
    await t.server.ctx.store.db.updateTable('agents').set({ enabled: 0 }).where('id', '=', agent.id).execute();
    await markMissedBackups(t.server.ctx, { now: new Date('2026-03-01T04:00:00Z'), graceMs: 60_000 });
    assert.equal((await backupsOf(config)).length, 0);
    const due = await t.server.ctx.store.db.selectFrom('configurations').select('next_scheduled_time').where('id', '=', config).executeTakeFirstOrThrow();
    assert.equal(due.next_scheduled_time, '2026-03-01T04:00:00.000Z');
  });
});

describe('compatibility: the Python SDK (cbu-sdk-python) job calls, replayed in order', () => {
  it('answers every call with the status and fields the client reads', async () => {
    // The SDK sends this content type on every request, GETs and empty-bodied DELETEs included.
    const sdk = (method: string, path: string, body?: unknown, options: { projectHeader?: boolean; token?: string } = {}) =>
      t.request(method, path, {
        token: options.token ?? w.creator,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          ...(options.projectHeader === false ? {} : { 'x-project-id': PROJECT }),
        },
        raw: body !== undefined ? JSON.stringify(body) : method === 'GET' ? undefined : '',
        contentType: 'application/json; charset=utf-8',
      });

    const agents = await sdk('GET', '/v2/agents');
    assert.equal(agents.status, 200);
    assert.ok(agents.body.agents.some((a: { id: string }) => a.id === w.agent.id));

    const created = await sdk('POST', '/v2/configurations', {
      agent_id: w.agent.id,
      name: 'sdk',
      enabled: false,
      schedule: { recurrence: ['RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=TH;BYHOUR=14;BYMINUTE=0'], time_zone: 'US/Central' },
      retention: { days: 30 },
      inclusions: [{ type: 'folder', path: '/web/' }],
      exclusions: [],
      notifications: [{ type: 'email', destination: 'sdk@example.com', on_success: true, on_failure: true }],
    });
    assert.equal(created.status, 201, created.text);
    const config = created.body.id as string;
    assert.equal((await sdk('PATCH', `/v2/configurations/${config}`, [{ op: 'replace', path: '/enabled', value: true }])).status, 204);

    const document = await sdk('GET', `/v2/${PROJECT}/agents/${w.agent.id}/configuration`, undefined, { projectHeader: false });
    assert.equal(document.status, 200);
    const entry = document.body.configurations.find((c: { id: string }) => c.id === config);
    assert.equal(entry.times.length, 3);
    assert.deepEqual(Object.keys(entry.schedule).sort(), ['recurrence', 'start', 'time_zone']);
    assert.equal(entry.backups.next.scheduled_time, entry.times[0]);
    assert.equal(new Date(entry.times[0]).getUTCDay(), 4, 'Thursday');

    const started = await sdk('POST', '/v2/backups', { configuration_id: config, state: 'start_requested' });
    assert.equal(started.status, 201, started.text);
    const backup = started.body.id as string;
    const polled = await sdk('GET', `/v2/backups/${backup}/`);
    assert.equal(polled.status, 200);
    assert.equal(polled.body.state, 'start_requested');
    await patch(backup, completionReport('completed', 77, new Date().toISOString()), w.agent.token);
    const done = await sdk('GET', `/v2/backups/${backup}`);
    assert.equal(done.body.state, 'completed');
    const errors = await sdk('GET', `/v2/backups/${backup}/errors`);
    assert.equal(errors.status, 200);
    assert.ok(Array.isArray(errors.body.list));

    const points = await sdk('GET', `/v2/backups?restorable=True&configuration_id=${config}`);
    assert.equal(points.status, 200);
    assert.equal(points.body.backups.length, 1);
    const point = points.body.backups[0];
    assert.equal(point.id, backup);
    assert.equal(point.snapshot_id, 77);
    assert.equal(point.configuration.id, config);
    assert.equal(point.agent.id, w.agent.id);
    assert.equal(typeof point.ended_time, 'string');

    const configActivities = await sdk('GET', `/v2/configurations/${config}/activities`);
    assert.equal(configActivities.status, 200);
    const activity = configActivities.body.activities[0];
    for (const field of ['id', 'type', 'state', 'last_updated_time', 'configuration', 'agent']) assert.ok(field in activity, field);
    const agentActivities = await sdk('GET', `/v2/agents/${w.agent.id}/activities`);
    assert.equal(agentActivities.status, 200);

    const restore = await sdk('POST', '/v2/restores', {
      backup_id: backup,
      source_agent_id: w.agent.id,
      destination_agent_id: w.agent.id,
      destination_path: '/tmp/restore',
      overwrite_files: false,
    });
    assert.equal(restore.status, 201, restore.text);
    const restored = await sdk('GET', `/v2/${PROJECT}/restores/${restore.body.id}`, undefined, { projectHeader: false });
    assert.equal(restored.status, 200);
    assert.equal(restored.body.state, 'start_requested');

    const cleanup = await sdk('POST', '/v2/cleanups', { agent_id: w.agent.id, state: 'start_requested' });
    assert.equal(cleanup.status, 201);
    assert.equal((await sdk('GET', `/v2/cleanups/${cleanup.body.id}`)).status, 200);
    const withCleanup = await sdk('GET', `/v2/agents/${w.agent.id}/activities?type=cleanup`);
    assert.ok(withCleanup.body.activities.length > 0);
    assert.ok(withCleanup.body.activities.every((a: Record<string, unknown>) => !('configuration' in a)));

    const removed = await sdk('DELETE', `/v2/configurations/${config}`, undefined, { token: w.admin });
    assert.equal(removed.status, 204, removed.text);
  });
});
