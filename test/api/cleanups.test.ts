import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { buildWorld, patchHeaders, PROJECT, type World } from '../helpers/fixtures.js';
import { itemAt } from '../helpers/indexing.js';

const TERMINAL_MESSAGE = "Modifying a cleanup that is already in a state of ['completed', 'completed_with_errors', 'failed', 'stopped'] is not allowed.";

let t: TestServer;
let w: World;

before(async () => {
  t = await startTestServer();
  w = await buildWorld(t);
});
after(async () => t.close());

async function startCleanup(token = w.creator, state = 'start_requested', headers: Record<string, string> = {}) {
  return t.request('POST', `/v2/${PROJECT}/cleanups`, { token, body: { agent_id: w.agent.id, state }, headers });
}

function patch(id: string, ops: unknown, token: string, headers: Record<string, string> = {}) {
  return t.request('PATCH', `/v2/${PROJECT}/cleanups/${id}`, { token, raw: JSON.stringify(ops), headers: { ...patchHeaders, ...headers } });
}

const setState = (state: string) => [{ op: 'replace', path: '/state', value: state }];

/** A cleanup brought to `state` the way a real agent and user would. */
async function cleanupIn(state: string): Promise<string> {
  const created = await startCleanup(state === 'start_scheduled' ? w.agent.token : w.creator, state === 'start_scheduled' ? 'start_scheduled' : 'start_requested');
  assert.equal(created.status, 201, created.text);
  const id = created.body.id;
  const steps: Partial<Record<string, [string, 'agent' | 'user'][]>> = {
    start_requested: [],
    start_scheduled: [],
    queued: [['queued', 'agent']],
    in_progress: [
      ['queued', 'agent'],
      ['in_progress', 'agent'],
    ],
    stop_requested: [
      ['in_progress', 'agent'],
      ['stop_requested', 'user'],
    ],
    completed: [
      ['in_progress', 'agent'],
      ['completed', 'agent'],
    ],
    completed_with_errors: [['completed_with_errors', 'agent']],
    failed: [['failed', 'agent']],
    stopped: [
      ['stop_requested', 'user'],
      ['stopped', 'agent'],
    ],
  };
  const path = steps[state];
  assert.ok(path, `no way to bring a cleanup to ${state}`);
  for (const [next, actor] of path) {
    const res = await patch(id, setState(next), actor === 'agent' ? w.agent.token : w.creator);
    assert.equal(res.status, 204, `${state} via ${next}: ${res.text}`);
  }
  const read = await t.request('GET', `/v2/${PROJECT}/cleanups/${id}`, { token: w.observer });
  assert.equal(read.body.state, state);
  return id;
}

describe('cleanups: start', () => {
  it('a user starts a cleanup: 201, Location, documented representation, and a cleanup_start_request event', async () => {
    const res = await startCleanup();
    assert.equal(res.status, 201, res.text);
    assert.equal(res.headers.get('location'), `${t.url}/v2/${PROJECT}/cleanups/${res.body.id}`);
    assert.deepEqual(Object.keys(res.body).sort(), ['agent', 'bytes_after', 'bytes_before', 'ended_time', 'errors', 'id', 'links', 'project_id', 'snapshot_ids', 'started_time', 'state'].sort());
    assert.equal(res.body.project_id, PROJECT);
    assert.equal(res.body.state, 'start_requested');
    assert.deepEqual(res.body.snapshot_ids, []);
    assert.deepEqual(res.body.errors, { count: 0, reason: '', diagnostics: '', links: [{ href: `${t.url}/v2/${PROJECT}/cleanups/${res.body.id}/errors`, rel: 'full' }] });
    assert.deepEqual(res.body.agent, { id: w.agent.id, links: [{ href: `${t.url}/v2/${PROJECT}/agents/${w.agent.id}`, rel: 'full' }] });
    assert.deepEqual(
      res.body.links.map((l: { rel: string }) => l.rel),
      ['self', 'events'],
    );
    const events = await t.server.ctx.store.db.selectFrom('events').selectAll().where('subject_id', '=', res.body.id).execute();
    assert.deepEqual(
      events.map((e) => e.name),
      ['cleanup_start_request'],
    );
    const body = JSON.parse(itemAt(events, 0).body);
    assert.deepEqual(body.agent, { id: w.agent.id, vault: { id: w.agent.vaultId, encrypted: false } });
    assert.deepEqual(body.cleanup, { id: res.body.id });
  });

  it('the agent starts a scheduled cleanup with its own token', async () => {
    const res = await startCleanup(w.agent.token, 'start_scheduled');
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.state, 'start_scheduled');
  });

  it("a user may not start a scheduled cleanup, X-Agent-Id or not: it is the agent's, with its own token", async () => {
    assert.equal((await startCleanup(w.creator, 'start_scheduled')).status, 403);
    assert.equal((await startCleanup(w.creator, 'start_scheduled', { 'x-agent-id': w.otherAgent.id })).status, 403);
    assert.equal((await startCleanup(w.creator, 'start_scheduled', { 'x-agent-id': w.agent.id })).status, 403);
  });

  it('another agent may not start a cleanup for this agent', async () => {
    assert.equal((await startCleanup(w.otherAgent.token, 'start_scheduled')).status, 403);
    assert.equal((await startCleanup(w.otherAgent.token, 'start_requested')).status, 403);
  });

  it('refuses bad bodies with 400 naming the problem, and writes nothing', async () => {
    const before = (await t.request('GET', `/v2/${PROJECT}/cleanups?limit=1000`, { token: w.admin })).body.cleanups.length;
    const cases: [unknown, RegExp][] = [
      [{ state: 'start_requested' }, /agent_id is required/],
      [{ agent_id: w.agent.id }, /state is required/],
      [{ agent_id: w.agent.id, state: 'queued' }, /state must be one of start_requested, start_scheduled/],
      [{ agent_id: 42, state: 'start_requested' }, /agent_id must be a string/],
      [{ agent_id: 'no-such-agent', state: 'start_requested' }, /not an agent of this project/],
      [[1, 2], /must be a JSON object/],
    ];
    for (const [body, pattern] of cases) {
      const res = await t.request('POST', `/v2/${PROJECT}/cleanups`, { token: w.creator, body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.message, 'Validation failed.');
      assert.match(res.body.errors.join(' '), pattern);
    }
    const malformed = await t.request('POST', `/v2/${PROJECT}/cleanups`, { token: w.creator, raw: '{"agent_id": ' });
    assert.equal(malformed.status, 400);
    assert.deepEqual(Object.keys(malformed.body), ['message']);
    const after = (await t.request('GET', `/v2/${PROJECT}/cleanups?limit=1000`, { token: w.admin })).body.cleanups.length;
    assert.equal(after, before);
  });

  it('roles and tokens: observer 403, no token 401, bad token 401, other project 404', async () => {
    assert.equal((await startCleanup(w.observer)).status, 403);
    assert.equal((await startCleanup(w.admin)).status, 201);
    assert.equal((await t.request('POST', `/v2/${PROJECT}/cleanups`, { token: null, body: { agent_id: w.agent.id, state: 'start_requested' } })).status, 401);
    assert.equal((await startCleanup('not-a-token')).status, 401);
    assert.equal((await startCleanup(w.stranger)).status, 404);
  });
});

describe('cleanups: get, errors', () => {
  it('any role of the project reads a cleanup; another project gets 404', async () => {
    const id = (await startCleanup()).body.id;
    for (const token of [w.observer, w.creator, w.admin, w.agent.token]) {
      const res = await t.request('GET', `/v2/${PROJECT}/cleanups/${id}`, { token });
      assert.equal(res.status, 200);
      assert.equal(res.body.id, id);
    }
    const foreign = await t.request('GET', `/v2/${PROJECT}/cleanups/${id}`, { token: w.stranger });
    assert.equal(foreign.status, 404);
    const unknown = await t.request('GET', `/v2/${PROJECT}/cleanups/00000000-0000-0000-0000-000000000000`, { token: w.admin });
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.body, { message: 'Cleanup not found.' });
  });

  it('errors list carries what the agent reported, with null diagnostics and exceptions and the server description', async () => {
    const id = (await startCleanup()).body.id;
    const report = [
      { op: 'replace', path: '/state', value: 'completed_with_errors' },
      {
        op: 'add',
        path: '/errors',
        value: { count: 1, reason: 'error_deleting_object', diagnostics: null, list: [{ index: 34, path: '/var/www/html/log/st_808_playlist.txt', type: 'file_missing_blocks', exception: null }] },
      },
    ];
    assert.equal((await patch(id, report, w.agent.token)).status, 204);
    const res = await t.request('GET', `/v2/${PROJECT}/cleanups/${id}/errors`, { token: w.observer });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      count: 1,
      reason: 'error_deleting_object',
      diagnostics: null,
      list: [
        {
          index: 34,
          path: '/var/www/html/log/st_808_playlist.txt',
          type: 'file_missing_blocks',
          description: 'A vault validation determined that the specified file is missing blocks.',
          exception: null,
        },
      ],
      links: [{ href: `${t.url}/v2/${PROJECT}/cleanups/${id}/errors`, rel: 'self' }],
    });
  });
});

describe('cleanups: PATCH reports', () => {
  it('the agent reports results; everything lands in one atomic change with one event', async () => {
    const id = (await startCleanup()).body.id;
    const report = [
      { op: 'replace', path: '/state', value: 'completed' },
      { op: 'add', path: '/started_time', value: '2014-08-05T18:22:22.238641Z' },
      { op: 'add', path: '/ended_time', value: '2014-08-05T18:23:50.489715Z' },
      { op: 'add', path: '/snapshot_ids', value: [23, 51] },
      { op: 'add', path: '/bytes_before', value: 1073741824 },
      { op: 'add', path: '/bytes_after', value: 1067030938 },
    ];
    const res = await patch(id, report, w.agent.token);
    assert.equal(res.status, 204, res.text);
    assert.equal(res.text, '');
    const got = (await t.request('GET', `/v2/${PROJECT}/cleanups/${id}`, { token: w.observer })).body;
    assert.equal(got.state, 'completed');
    assert.equal(got.started_time, '2014-08-05T18:22:22.238641Z');
    assert.equal(got.ended_time, '2014-08-05T18:23:50.489715Z');
    assert.deepEqual(got.snapshot_ids, [23, 51]);
    assert.equal(got.bytes_before, 1073741824);
    assert.equal(got.bytes_after, 1067030938);
    const events = await t.server.ctx.store.db.selectFrom('events').select(['name', 'body']).where('subject_id', '=', id).orderBy('id').execute();
    assert.deepEqual(
      events.map((e) => e.name),
      ['cleanup_start_request', 'cleanup_completed'],
    );
    assert.deepEqual(JSON.parse(itemAt(events, 1).body), { agent: { id: w.agent.id }, cleanup: { id } });
  });

  it('application/json is accepted as well as application/json-patch+json', async () => {
    const id = (await startCleanup()).body.id;
    const res = await t.request('PATCH', `/v2/${PROJECT}/cleanups/${id}`, { token: w.agent.token, body: setState('queued'), contentType: 'application/json; charset=utf-8' });
    assert.equal(res.status, 204, res.text);
  });

  it('a bad op, path or value is 400 naming it, and nothing of the patch is applied', async () => {
    const id = (await startCleanup()).body.id;
    const cases: [unknown, RegExp][] = [
      [
        [
          { op: 'replace', path: '/state', value: 'queued' },
          { op: 'remove', path: '/bytes_after' },
        ],
        /op "remove" is not allowed on path "\/bytes_after"/,
      ],
      [
        [
          { op: 'replace', path: '/state', value: 'queued' },
          { op: 'replace', path: '/agent', value: {} },
        ],
        /path "\/agent" cannot be changed/,
      ],
      [
        [
          { op: 'replace', path: '/state', value: 'queued' },
          { op: 'replace', path: '/bytes_before', value: -1 },
        ],
        /"\/bytes_before" must be a non-negative integer/,
      ],
      [
        [
          { op: 'replace', path: '/state', value: 'queued' },
          { op: 'replace', path: '/snapshot_ids', value: ['x'] },
        ],
        /"\/snapshot_ids" must be an array of non-negative integers/,
      ],
      [[{ op: 'replace', path: '/state', value: 'nonsense' }], /not a valid cleanup state/],
      [[{ op: 'replace', path: '/state', value: 'preparing' }], /not a valid cleanup state/],
      [[{ op: 'replace', path: '/started_time', value: 'yesterday' }], /ISO-8601/],
      [
        [
          { op: 'replace', path: '/state', value: 'queued' },
          { op: 'test', path: '/state', value: 'queued' },
        ],
        /Operation 1: a test of path "\/state" cannot follow a change/,
      ],
      [[{ op: 'frobnicate', path: '/state', value: 'queued' }], /./],
      [[{ op: 'replace', path: 'state', value: 'queued' }], /./],
      [{ op: 'replace', path: '/state', value: 'queued' }, /./],
      [[{ op: 'replace', path: '/state' }], /./],
    ];
    for (const [ops, pattern] of cases) {
      const res = await patch(id, ops, w.agent.token);
      assert.equal(res.status, 400, `${JSON.stringify(ops)} → ${res.text}`);
      assert.match(res.body.message, pattern);
    }
    const malformed = await t.request('PATCH', `/v2/${PROJECT}/cleanups/${id}`, { token: w.agent.token, raw: '[{"op":', headers: patchHeaders });
    assert.equal(malformed.status, 400);
    const got = (await t.request('GET', `/v2/${PROJECT}/cleanups/${id}`, { token: w.observer })).body;
    assert.equal(got.state, 'start_requested');
    assert.equal(got.bytes_before, 0);
  });

  it('a report body that tries to set __proto__ or constructor.prototype is 400 and changes nothing', async () => {
    const id = await cleanupIn('in_progress');
    const bodies = [
      '[{"op":"replace","path":"/bytes_before","value":5,"__proto__":{"op":"remove"}}]',
      '[{"op":"replace","path":"/errors","value":{"count":1,"__proto__":{"polluted":true},"list":[]}}]',
      '[{"op":"replace","path":"/bytes_before","value":5,"constructor":{"prototype":{"polluted":true}}}]',
    ];
    for (const raw of bodies) {
      const res = await t.request('PATCH', `/v2/${PROJECT}/cleanups/${id}`, { token: w.agent.token, raw, headers: patchHeaders });
      assert.equal(res.status, 400, `${raw} → ${res.status} ${res.text}`);
      assert.equal(typeof res.body.message, 'string');
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const got = (await t.request('GET', `/v2/${PROJECT}/cleanups/${id}`, { token: w.observer })).body;
    assert.equal(got.bytes_before, 0);
    assert.equal(got.errors.count, 0);
  });

  it('a progress report changes only its own field, and each report is read back as sent', async () => {
    const id = await cleanupIn('in_progress');
    const before = (await t.request('GET', `/v2/${PROJECT}/cleanups/${id}`, { token: w.observer })).body;
    for (const bytes of [10, 20, 30]) {
      const res = await patch(id, [{ op: 'replace', path: '/bytes_before', value: bytes }], w.agent.token);
      assert.equal(res.status, 204, res.text);
      const got = (await t.request('GET', `/v2/${PROJECT}/cleanups/${id}`, { token: w.observer })).body;
      assert.deepEqual({ ...got, bytes_before: undefined, updated: undefined }, { ...before, bytes_before: undefined, updated: undefined });
      assert.equal(got.bytes_before, bytes);
    }
  });

  it('RFC 6902 test: a passing test applies the patch; a failing one is 409 and changes nothing', async () => {
    const id = (await startCleanup()).body.id;
    const failing = await patch(
      id,
      [
        { op: 'test', path: '/state', value: 'queued' },
        { op: 'replace', path: '/state', value: 'in_progress' },
      ],
      w.agent.token,
    );
    assert.equal(failing.status, 409);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/cleanups/${id}`, { token: w.observer })).body.state, 'start_requested');
    const passing = await patch(
      id,
      [
        { op: 'test', path: '/state', value: 'start_requested' },
        { op: 'replace', path: '/state', value: 'in_progress' },
      ],
      w.agent.token,
    );
    assert.equal(passing.status, 204, passing.text);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/cleanups/${id}`, { token: w.observer })).body.state, 'in_progress');
  });

  it('actors: observer 403, another agent 404, a user setting an agent state 403, a user reporting results 403', async () => {
    const id = (await startCleanup()).body.id;
    assert.equal((await patch(id, setState('stop_requested'), w.observer)).status, 403);
    assert.equal((await patch(id, setState('queued'), w.otherAgent.token)).status, 404);
    assert.equal((await patch(id, setState('queued'), w.creator)).status, 403);
    assert.equal((await patch(id, [{ op: 'add', path: '/bytes_before', value: 5 }], w.admin)).status, 403);
    assert.equal((await patch(id, setState('stop_requested'), w.agent.token)).status, 403);
    assert.equal((await patch(id, setState('queued'), w.stranger)).status, 404);
    assert.equal((await patch(id, setState('queued'), 'bogus')).status, 401);
    // The historical form, a creator's token with the agent's X-Agent-Id, is the creator.
    assert.equal((await patch(id, setState('queued'), w.creator, { 'x-agent-id': w.agent.id })).status, 403);
    assert.equal((await patch(id, setState('queued'), w.agent.token, { 'x-agent-id': w.agent.id })).status, 204);
  });

  it('order of checks: 404 before 400, 400 before 403, 403 before 409', async () => {
    const missing = await patch('00000000-0000-0000-0000-000000000000', [{ op: 'bogus' }], w.observer);
    assert.equal(missing.status, 404);
    const id = await cleanupIn('completed');
    assert.equal((await patch(id, [{ op: 'bogus' }], w.observer)).status, 400);
    assert.equal((await patch(id, setState('queued'), w.observer)).status, 403);
    assert.equal((await patch(id, setState('queued'), w.agent.token)).status, 409);
  });

  it('a terminal cleanup refuses every change with the documented message, but a retried final report is 204', async () => {
    const id = await cleanupIn('completed');
    const change = await patch(id, [{ op: 'replace', path: '/bytes_after', value: 1 }], w.agent.token);
    assert.equal(change.status, 409);
    assert.deepEqual(change.body, { message: TERMINAL_MESSAGE });
    assert.equal((await patch(id, setState('completed'), w.agent.token)).status, 204);
    const events = await t.server.ctx.store.db.selectFrom('events').select('name').where('subject_id', '=', id).execute();
    assert.equal(events.filter((e) => e.name === 'cleanup_completed').length, 1);
  });

  // Expected outcome of every (state, requested state, actor), written out by hand from docs/reference/rackspace-cloud-backup-v2.md §4.3.
  const OK = 204;
  const AGENT_TARGETS = ['queued', 'in_progress', 'completed', 'completed_with_errors', 'failed', 'stopped'];
  const EXPECTED: Record<string, Record<string, number>> = {
    start_requested: { queued: OK, in_progress: OK, completed: OK, completed_with_errors: OK, failed: OK, stopped: OK, stop_requested: OK },
    start_scheduled: { queued: OK, in_progress: OK, completed: OK, completed_with_errors: OK, failed: OK, stopped: OK, stop_requested: OK },
    queued: { queued: OK, in_progress: OK, completed: OK, completed_with_errors: OK, failed: OK, stopped: OK, stop_requested: OK },
    in_progress: { queued: 409, in_progress: OK, completed: OK, completed_with_errors: OK, failed: OK, stopped: OK, stop_requested: OK },
    stop_requested: { queued: 409, in_progress: 409, completed: OK, completed_with_errors: OK, failed: OK, stopped: OK, stop_requested: OK },
    completed: { queued: 409, in_progress: 409, completed: OK, completed_with_errors: 409, failed: 409, stopped: 409, stop_requested: 409 },
    completed_with_errors: { queued: 409, in_progress: 409, completed: 409, completed_with_errors: OK, failed: 409, stopped: 409, stop_requested: 409 },
    failed: { queued: 409, in_progress: 409, completed: 409, completed_with_errors: 409, failed: OK, stopped: 409, stop_requested: 409 },
    stopped: { queued: 409, in_progress: 409, completed: 409, completed_with_errors: 409, failed: 409, stopped: OK, stop_requested: 409 },
  };

  for (const [from, targets] of Object.entries(EXPECTED)) {
    it(`every transition from ${from}`, async () => {
      for (const [to, expected] of Object.entries(targets)) {
        const id = await cleanupIn(from);
        const byAgent = AGENT_TARGETS.includes(to);
        const res = await patch(id, setState(to), byAgent ? w.agent.token : w.creator);
        assert.equal(res.status, expected, `${from} → ${to}: ${res.text}`);
        const state = (await t.request('GET', `/v2/${PROJECT}/cleanups/${id}`, { token: w.observer })).body.state;
        assert.equal(state, expected === OK ? to : from, `${from} → ${to} left the state at ${state}`);
        // The wrong actor is refused before the state machine is asked.
        const wrong = await patch(id, setState(to), byAgent ? w.creator : w.agent.token);
        assert.equal(wrong.status, 403, `${from} → ${to} by the wrong actor: ${wrong.text}`);
      }
    });
  }
});

describe('cleanups: list paging', () => {
  it('pages by marker in both directions with next/previous links, and rejects bad parameters', async () => {
    const fresh = await startTestServer();
    try {
      const world = await buildWorld(fresh);
      const empty = await fresh.request('GET', `/v2/${PROJECT}/cleanups`, { token: world.observer });
      assert.equal(empty.status, 200);
      assert.deepEqual(empty.body, { cleanups: [] });
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push((await fresh.request('POST', `/v2/${PROJECT}/cleanups`, { token: world.creator, body: { agent_id: world.agent.id, state: 'start_requested' } })).body.id);
      }
      const all = await fresh.request('GET', `/v2/${PROJECT}/cleanups`, { token: world.observer });
      assert.deepEqual(
        all.body.cleanups.map((c: { id: string }) => c.id),
        [...ids].reverse(),
        'default order is newest first',
      );
      // Every non-empty page links both ways, even one that holds everything (as the documented examples do).
      assert.deepEqual(all.body.links, [
        { href: `${fresh.url}/v2/${PROJECT}/cleanups?marker=${ids[0]}`, rel: 'next' },
        { href: `${fresh.url}/v2/${PROJECT}/cleanups?marker=${ids[4]}&sort_dir=asc`, rel: 'previous' },
      ]);

      const exact = await fresh.request('GET', `/v2/${PROJECT}/cleanups?limit=5`, { token: world.observer });
      assert.equal(exact.body.cleanups.length, 5);
      assert.deepEqual(
        exact.body.links.map((l: { rel: string }) => l.rel),
        ['next', 'previous'],
      );
      const beyond = await fetch(exact.body.links[0].href, { headers: { 'x-auth-token': world.observer } }).then((r) => r.json() as Promise<any>);
      assert.deepEqual(beyond, { cleanups: [] }, 'next from the last page is an empty page without links');

      const first = await fresh.request('GET', `/v2/${PROJECT}/cleanups?limit=2`, { token: world.observer });
      assert.deepEqual(
        first.body.cleanups.map((c: { id: string }) => c.id),
        [ids[4], ids[3]],
      );
      assert.deepEqual(first.body.links, [
        { href: `${fresh.url}/v2/${PROJECT}/cleanups?marker=${ids[3]}&limit=2`, rel: 'next' },
        { href: `${fresh.url}/v2/${PROJECT}/cleanups?marker=${ids[4]}&limit=2&sort_dir=asc`, rel: 'previous' },
      ]);
      const second = await fetch(first.body.links[0].href, { headers: { 'x-auth-token': world.observer } }).then((r) => r.json() as Promise<any>);
      assert.deepEqual(
        second.cleanups.map((c: { id: string }) => c.id),
        [ids[2], ids[1]],
      );
      assert.deepEqual(second.links, [
        { href: `${fresh.url}/v2/${PROJECT}/cleanups?marker=${ids[1]}&limit=2`, rel: 'next' },
        { href: `${fresh.url}/v2/${PROJECT}/cleanups?marker=${ids[2]}&limit=2&sort_dir=asc`, rel: 'previous' },
      ]);
      const back = await fetch(second.links[1].href, { headers: { 'x-auth-token': world.observer } }).then((r) => r.json() as Promise<any>);
      assert.deepEqual(
        back.cleanups.map((c: { id: string }) => c.id),
        [ids[3], ids[4]],
      );

      const asc = await fresh.request('GET', `/v2/${PROJECT}/cleanups?sort_dir=asc&limit=3`, { token: world.observer });
      assert.deepEqual(
        asc.body.cleanups.map((c: { id: string }) => c.id),
        ids.slice(0, 3),
      );
      const lastMarker = await fresh.request('GET', `/v2/${PROJECT}/cleanups?marker=${ids[0]}`, { token: world.observer });
      assert.deepEqual(lastMarker.body, { cleanups: [] }, 'marker of the last item gives an empty page');

      for (const query of ['marker=nope', 'limit=0', 'limit=-1', 'limit=abc', 'limit=1001', 'sort_dir=up', 'marker=']) {
        const res = await fresh.request('GET', `/v2/${PROJECT}/cleanups?${query}`, { token: world.observer });
        assert.equal(res.status, 400, query);
        assert.equal(typeof res.body.message, 'string');
      }
    } finally {
      await fresh.close();
    }
  });
});
