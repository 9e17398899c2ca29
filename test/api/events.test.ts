import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { buildWorld, patchHeaders, PROJECT, registerAgent, type World } from '../helpers/fixtures.js';
import { insertJob } from '../../src/resources/jobs/job-insert.js';
import { pruneEvents, retentionCutoff } from '../../src/resources/events/event-pruning.js';

let t: TestServer;
let w: World;

before(async () => {
  t = await startTestServer({ maxLongPollSeconds: 5 });
  w = await buildWorld(t);
});
after(async () => t.close());

const agentEvents = (agentId: string, query = '', token = w.observer) => t.request('GET', `/v2/${PROJECT}/agents/${agentId}/events${query}`, { token });

/** The newest event id of an agent's stream ("0" when empty): a marker that makes the next poll wait. */
async function latestMarker(agentId: string): Promise<string> {
  const res = await agentEvents(agentId, '?sort_dir=desc&limit=1', w.admin);
  assert.equal(res.status, 200, res.text);
  return res.body.events[0]?.id ?? '0';
}

/** The id of the agent's newest agent_heartbeat event, waiting (at most 5 s) for one to be written. */
async function heartbeatMarker(agentId: string): Promise<string> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const res = await agentEvents(agentId, '?sort_dir=desc&limit=1', w.admin);
    const newest = res.body.events[0];
    if (newest?.event === 'agent_heartbeat') return newest.id;
    assert.ok(Date.now() < deadline, `no agent_heartbeat within 5 s; newest event: ${JSON.stringify(newest)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function startCleanup(agentId = w.agent.id) {
  const res = await t.request('POST', `/v2/${PROJECT}/cleanups`, { token: w.creator, body: { agent_id: agentId, state: 'start_requested' } });
  assert.equal(res.status, 201, res.text);
  return res.body.id as string;
}

async function insertBackup(agentId: string, state: 'start_requested' | 'start_scheduled' = 'start_requested') {
  return t.server.ctx.store.transaction((tx) => insertJob(tx, { projectId: PROJECT, kind: 'backup', agentId, state, configurationId: null }));
}

describe('events: project stream and agent_activate', () => {
  it('POST /events agent_activate → 202; the event has mode and request_id, no agent; GET /events lists newest first', async () => {
    const res = await t.request('POST', `/v2/${PROJECT}/events`, { token: w.creator, body: { event: 'agent_activate', mode: 'active' } });
    assert.equal(res.status, 202, res.text);
    assert.equal(res.text, '');
    const list = await t.request('GET', `/v2/${PROJECT}/events`, { token: w.observer });
    assert.equal(list.status, 200);
    const ids = list.body.events.map((e: { id: string }) => e.id);
    assert.deepEqual([...ids].sort().reverse(), ids, 'default sort_dir of project events is desc');
    const activate = list.body.events[0];
    assert.equal(activate.event, 'agent_activate');
    assert.equal(activate.mode, 'active');
    assert.match(activate.request_id, /^[0-9a-f-]{36}$/);
    assert.equal(activate.agent, undefined);
    assert.match(activate.id, /^\d{10}$/);
    assert.match(activate.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const agents = await t.server.ctx.store.db.selectFrom('agents').select(['activation_mode', 'activation_until']).where('project_id', '=', PROJECT).execute();
    assert.ok(agents.every((a) => a.activation_mode === 'active' && a.activation_until !== null));
  });

  it('POST /events refuses bad bodies (400), agents and observers (403); roles: no token 401, other project 404', async () => {
    for (const body of [{ event: 'agent_activate' }, { event: 'agent_activate', mode: 'turbo' }, { event: 'startup' }, { mode: 'idle' }, [1]]) {
      const res = await t.request('POST', `/v2/${PROJECT}/events`, { token: w.creator, body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.message, 'Validation failed.');
    }
    const body = { event: 'agent_activate', mode: 'idle' };
    assert.equal((await t.request('POST', `/v2/${PROJECT}/events`, { token: w.agent.token, body })).status, 403);
    assert.equal((await t.request('POST', `/v2/${PROJECT}/events`, { token: null, body })).status, 401);
    assert.equal((await t.request('POST', `/v2/${PROJECT}/events`, { token: w.stranger, body })).status, 404);
    assert.equal((await t.request('POST', `/v2/${PROJECT}/events`, { token: w.observer, body })).status, 403);
    for (const token of [w.creator, w.admin]) assert.equal((await t.request('POST', `/v2/${PROJECT}/events`, { token, body })).status, 202);
  });

  it('GET /events role matrix: observer, creator, admin 200; agent token 403; no token 401; other project 404', async () => {
    for (const token of [w.observer, w.creator, w.admin]) assert.equal((await t.request('GET', `/v2/${PROJECT}/events`, { token })).status, 200);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/events`, { token: w.agent.token })).status, 403);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/events`, { token: null })).status, 401);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/events`, { token: w.stranger })).status, 404);
  });
});

describe('events: agent stream paging', () => {
  it('ascending by default; marker returns only newer events; limit pages with next and previous links', async () => {
    const agent = await registerAgent(t, w.admin);
    const cleanups = [await startCleanup(agent.id), await startCleanup(agent.id), await startCleanup(agent.id)];
    const all = await agentEvents(agent.id);
    assert.equal(all.status, 200);
    const names = all.body.events.map((e: { event: string }) => e.event);
    assert.ok(names.includes('agent_registered'));
    const starts = all.body.events.filter((e: { event: string }) => e.event === 'cleanup_start_request');
    assert.deepEqual(
      starts.map((e: { cleanup: { id: string } }) => e.cleanup.id),
      cleanups,
    );
    const ids: string[] = all.body.events.map((e: { id: string }) => e.id);
    assert.deepEqual([...ids].sort(), ids);
    assert.deepEqual(
      all.body.links,
      [
        { href: `${t.url}/v2/${PROJECT}/agents/${agent.id}/events?marker=${ids[ids.length - 1]}`, rel: 'next' },
        { href: `${t.url}/v2/${PROJECT}/agents/${agent.id}/events?marker=${ids[0]}&sort_dir=desc`, rel: 'previous' },
      ],
      'every non-empty page links both ways',
    );

    const newer = await agentEvents(agent.id, `?marker=${starts[0].id}`);
    assert.deepEqual(
      newer.body.events.map((e: { id: string }) => e.id),
      ids.slice(ids.indexOf(starts[0].id) + 1),
    );
    assert.deepEqual((await agentEvents(agent.id, `?marker=${ids[ids.length - 1]}&wait=0`)).body, { events: [], links: [] });

    const first = await agentEvents(agent.id, '?limit=2');
    assert.deepEqual(
      first.body.events.map((e: { id: string }) => e.id),
      ids.slice(0, 2),
    );
    const next = first.body.links.find((l: { rel: string }) => l.rel === 'next');
    assert.equal(next.href, `${t.url}/v2/${PROJECT}/agents/${agent.id}/events?marker=${ids[1]}&limit=2`);
    const second = await t.request('GET', new URL(next.href).pathname + new URL(next.href).search, { token: w.observer });
    assert.deepEqual(
      second.body.events.map((e: { id: string }) => e.id),
      ids.slice(2, 4),
    );
    const previous = second.body.links.find((l: { rel: string }) => l.rel === 'previous');
    assert.equal(previous.href, `${t.url}/v2/${PROJECT}/agents/${agent.id}/events?marker=${ids[2]}&limit=2&sort_dir=desc`);
    const back = await t.request('GET', new URL(previous.href).pathname + new URL(previous.href).search, { token: w.observer });
    assert.deepEqual(
      back.body.events.map((e: { id: string }) => e.id),
      [ids[1], ids[0]],
    );
  });

  it("includes project-wide agent_activate but not other agents' events", async () => {
    const agent = await registerAgent(t, w.admin);
    const marker = await latestMarker(agent.id);
    await startCleanup(w.otherAgent.id);
    assert.equal((await t.request('POST', `/v2/${PROJECT}/events`, { token: w.creator, body: { event: 'agent_activate', mode: 'real_time' } })).status, 202);
    const res = await agentEvents(agent.id, `?marker=${marker}`);
    // A heartbeat may be due for the new agent on a slow run; it is the agent's own, so it may be there.
    assert.deepEqual(
      res.body.events.map((e: { event: string }) => e.event).filter((name: string) => name !== 'agent_heartbeat'),
      ['agent_activate'],
    );
  });

  it("an agent's own and project-wide events interleave in one order, paged both ways by limit", async () => {
    const agent = await registerAgent(t, w.admin);
    const marker = await latestMarker(agent.id);
    const activate = async () => assert.equal((await t.request('POST', `/v2/${PROJECT}/events`, { token: w.creator, body: { event: 'agent_activate', mode: 'active' } })).status, 202);
    const own1 = await startCleanup(agent.id);
    await activate();
    await startCleanup(w.otherAgent.id);
    const own2 = await startCleanup(agent.id);
    await activate();
    const describe = (events: { event: string; cleanup?: { id: string } }[]) => events.filter((e) => e.event !== 'agent_heartbeat').map((e) => e.cleanup?.id ?? e.event);
    const first = await agentEvents(agent.id, `?marker=${marker}&limit=2`);
    assert.deepEqual(describe(first.body.events), [own1, 'agent_activate']);
    const second = await agentEvents(agent.id, `?marker=${first.body.events[1].id}&limit=2`);
    assert.deepEqual(describe(second.body.events), [own2, 'agent_activate']);
    const newest = await agentEvents(agent.id, `?sort_dir=desc&limit=3`);
    assert.deepEqual(describe(newest.body.events), ['agent_activate', own2, 'agent_activate']);
    const older = await agentEvents(agent.id, `?sort_dir=desc&limit=1&marker=${newest.body.events[2].id}`);
    assert.deepEqual(describe(older.body.events), [own1]);
  });

  it('bad marker, limit, sort_dir or wait → 400; unknown agent 404; role matrix', async () => {
    for (const query of ['?marker=abc', '?limit=0', '?limit=1001', '?limit=x', '?sort_dir=up', '?wait=-1', '?wait=soon']) {
      const res = await agentEvents(w.agent.id, query);
      assert.equal(res.status, 400, query);
      assert.ok(typeof res.body.message === 'string');
    }
    assert.equal((await agentEvents(randomUUID())).status, 404);
    assert.equal((await agentEvents(randomUUID())).body.message, 'Agent not found.');
    for (const token of [w.observer, w.creator, w.admin]) assert.equal((await agentEvents(w.agent.id, '', token)).status, 200);
    assert.equal((await agentEvents(w.agent.id, '?wait=0', w.agent.token)).status, 200);
    assert.equal((await agentEvents(w.agent.id, '', w.otherAgent.token)).status, 404);
    assert.equal((await agentEvents(w.agent.id, '', w.stranger)).status, 404);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/agents/${w.agent.id}/events`, { token: null })).status, 401);
  });
});

describe('events: job and configuration scopes', () => {
  it('cleanup events in ascending order; unknown cleanup 404; another agent 404', async () => {
    const id = await startCleanup();
    const patched = await t.request('PATCH', `/v2/${PROJECT}/cleanups/${id}`, {
      token: w.agent.token,
      raw: JSON.stringify([{ op: 'replace', path: '/state', value: 'queued' }]),
      headers: patchHeaders,
    });
    assert.equal(patched.status, 204, patched.text);
    const res = await t.request('GET', `/v2/${PROJECT}/cleanups/${id}/events`, { token: w.observer });
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.body.events.map((e: { event: string }) => e.event),
      ['cleanup_start_request', 'cleanup_queued'],
    );
    assert.deepEqual(res.body.events[1].cleanup, { id });
    assert.equal((await t.request('GET', `/v2/${PROJECT}/cleanups/${randomUUID()}/events`, { token: w.observer })).body.message, 'Cleanup not found.');
    for (const token of [w.creator, w.admin]) assert.equal((await t.request('GET', `/v2/${PROJECT}/cleanups/${id}/events`, { token })).status, 200);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/cleanups/${id}/events`, { token: w.otherAgent.token })).status, 404);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/cleanups/${id}/events`, { token: w.agent.token })).status, 200);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/cleanups/${id}/events`, { token: w.stranger })).status, 404);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/cleanups/${id}/events`, { token: null })).status, 401);
  });

  it('backup and restore events are scoped by the job; a job of another kind is 404', async () => {
    const backup = await insertBackup(w.agent.id);
    await t.server.ctx.store.transaction((tx) =>
      t.server.ctx.events.record(tx, { projectId: PROJECT, agentId: w.agent.id, subjectId: backup.id, name: 'backup_queued', body: { agent: { id: w.agent.id }, backup: { id: backup.id } } }),
    );
    const res = await t.request('GET', `/v2/${PROJECT}/backups/${backup.id}/events`, { token: w.observer });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(
      res.body.events.map((e: { event: string }) => e.event),
      ['backup_queued'],
    );
    const asRestore = await t.request('GET', `/v2/${PROJECT}/restores/${backup.id}/events`, { token: w.observer });
    assert.equal(asRestore.status, 404);
    assert.equal(asRestore.body.message, 'Restore not found.');
    assert.equal((await t.request('GET', `/v2/${PROJECT}/backups/${randomUUID()}/events`, { token: w.observer })).body.message, 'Backup not found.');
    assert.equal((await t.request('GET', `/v2/${PROJECT}/backups/${backup.id}/events`, { token: w.stranger })).status, 404);
    for (const token of [w.observer, w.creator, w.admin, w.agent.token]) assert.equal((await t.request('GET', `/v2/${PROJECT}/backups/${backup.id}/events`, { token })).status, 200);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/backups/${backup.id}/events`, { token: w.otherAgent.token })).status, 404);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/backups/${backup.id}/events`, { token: null })).status, 401);
    const restore = await t.server.ctx.store.transaction((tx) => insertJob(tx, { projectId: PROJECT, kind: 'restore', agentId: w.agent.id, state: 'start_requested' }));
    for (const token of [w.observer, w.creator, w.admin]) assert.equal((await t.request('GET', `/v2/${PROJECT}/restores/${restore.id}/events`, { token })).status, 200);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/restores/${restore.id}/events`, { token: w.stranger })).status, 404);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/restores/${restore.id}/events`, { token: null })).status, 401);
  });

  it('configuration events: newest first by default; unknown configuration 404', async () => {
    const configurationId = randomUUID();
    const now = new Date().toISOString();
    await t.server.ctx.store.db
      .insertInto('configurations')
      .values({
        id: configurationId,
        project_id: PROJECT,
        agent_id: w.agent.id,
        name: 'c',
        enabled: 1,
        schedule: null,
        retention_days: 0,
        inclusions: '[]',
        exclusions: '[]',
        notifications: '[]',
        deleted: 0,
        last_completed_backup_id: null,
        next_scheduled_time: null,
        created_at: now,
        updated_at: now,
        version_no: 1,
      })
      .execute();
    for (const name of ['backup_queued', 'backup_in_progress']) {
      await t.server.ctx.store.transaction((tx) =>
        t.server.ctx.events.record(tx, { projectId: PROJECT, agentId: w.agent.id, configurationId, name, body: { configuration: { id: configurationId } } }),
      );
    }
    const res = await t.request('GET', `/v2/${PROJECT}/configurations/${configurationId}/events`, { token: w.observer });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(
      res.body.events.map((e: { event: string }) => e.event),
      ['backup_in_progress', 'backup_queued'],
    );
    const missing = await t.request('GET', `/v2/${PROJECT}/configurations/${randomUUID()}/events`, { token: w.observer });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.message, 'Configuration not found.');
    assert.equal((await t.request('GET', `/v2/${PROJECT}/configurations/${configurationId}/events`, { token: w.otherAgent.token })).status, 404);
    for (const token of [w.creator, w.admin, w.agent.token]) assert.equal((await t.request('GET', `/v2/${PROJECT}/configurations/${configurationId}/events`, { token })).status, 200);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/configurations/${configurationId}/events`, { token: w.stranger })).status, 404);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/configurations/${configurationId}/events`, { token: null })).status, 401);
  });
});

describe('events: long poll', () => {
  it("a long-polling agent receives cleanup_start_request within 100 ms of the user's POST", async () => {
    const marker = await latestMarker(w.agent.id);
    const polled = (async () => {
      const res = await agentEvents(w.agent.id, `?marker=${marker}&wait=5`, w.agent.token);
      return { res, at: performance.now() };
    })();
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(t.server.ctx.events.waitingCount >= 1, true, 'the poll is waiting');
    const postSentAt = performance.now();
    const started = await t.request('POST', `/v2/${PROJECT}/cleanups`, { token: w.creator, body: { agent_id: w.agent.id, state: 'start_requested' } });
    const postedAt = performance.now();
    assert.equal(started.status, 201);
    const { res, at } = await polled;
    const latency = at - postSentAt;
    assert.equal(res.status, 200);
    const start = res.body.events.find((e: { event: string }) => e.event === 'cleanup_start_request');
    assert.equal(start?.cleanup.id, started.body.id);
    assert.ok(latency < 100, `delivered ${latency.toFixed(1)} ms after the POST was sent`);
    process.stdout.write(`# long-poll delivery: ${latency.toFixed(1)} ms after the POST was sent (${(at - postedAt).toFixed(1)} ms after its response)\n`);
  });

  it('an agent token waits by default; wait=0 answers at once; the wait runs out with an empty list', async () => {
    const agent = await registerAgent(t, w.admin);
    const marker = await latestMarker(agent.id);
    let t0 = performance.now();
    const plain = await agentEvents(agent.id, `?marker=${marker}&wait=0`, agent.token);
    assert.equal(plain.status, 200);
    assert.ok(performance.now() - t0 < 500);
    // The agent's first request appends its heartbeat (once per interval), possibly after answering: wait from after it.
    const afterFirstPoll = await heartbeatMarker(agent.id);
    t0 = performance.now();
    const waited = await agentEvents(agent.id, `?marker=${afterFirstPoll}&wait=0.4`, agent.token);
    const took = performance.now() - t0;
    assert.deepEqual(waited.body.events, []);
    assert.ok(took >= 350, `held ${took} ms`);
    t0 = performance.now();
    const user = await agentEvents(agent.id, `?marker=${await latestMarker(agent.id)}`, w.observer);
    assert.deepEqual(user.body.events, []);
    assert.ok(performance.now() - t0 < 500, 'a user without wait gets a plain poll');
  });

  it('a user may long poll with wait=N; the wait is capped by the server', async () => {
    const agent = await registerAgent(t, w.admin);
    const marker = await latestMarker(agent.id);
    const polled = agentEvents(agent.id, `?marker=${marker}&wait=600`, w.observer);
    await new Promise((r) => setTimeout(r, 100));
    await startCleanup(agent.id);
    const res = await polled;
    assert.equal(res.body.events[0].event, 'cleanup_start_request');
  });

  it("another agent's events do not wake an agent's long poll; project-wide events do", async () => {
    const hub = t.server.ctx.events;
    const record = (agentId: string | null, name: string) => t.server.ctx.store.transaction((tx) => hub.record(tx, { projectId: PROJECT, agentId, name, body: {} }));
    let woken = false;
    const waiting = hub.arm(PROJECT, w.agent.id, Date.now() + 2000).woken.then(() => (woken = true));
    await record(w.otherAgent.id, 'agent_heartbeat');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(woken, false, "another agent's event");
    await record(null, 'agent_activate');
    await waiting;
    assert.equal(woken, true);
    const own = hub.arm(PROJECT, w.agent.id, Date.now() + 2000);
    const t0 = performance.now();
    await record(w.agent.id, 'agent_heartbeat');
    await own.woken;
    assert.ok(performance.now() - t0 < 1000, "the agent's own event wakes it");
  });

  it('the wait ends when the client goes away', async () => {
    const before = t.server.ctx.events.waitingCount;
    const marker = await latestMarker(w.otherAgent.id);
    const controller = new AbortController();
    const polled = fetch(`${t.url}/v2/${PROJECT}/agents/${w.otherAgent.id}/events?marker=${marker}&wait=5`, { headers: { 'x-auth-token': w.observer }, signal: controller.signal }).catch(
      () => 'aborted',
    );
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(t.server.ctx.events.waitingCount, before + 1);
    controller.abort();
    assert.equal(await polled, 'aborted');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(t.server.ctx.events.waitingCount, before);
  });

  it('the wait ends when the server closes', async () => {
    const other = await startTestServer({ maxLongPollSeconds: 30 });
    try {
      const ow = await buildWorld(other);
      const marker = (await other.request('GET', `/v2/${PROJECT}/agents/${ow.agent.id}/events?sort_dir=desc&limit=1`)).body.events[0].id;
      const t0 = performance.now();
      let answeredAt = 0;
      const polled = fetch(`${other.url}/v2/${PROJECT}/agents/${ow.agent.id}/events?marker=${marker}&wait=30`, { headers: { 'x-auth-token': ow.observer } })
        .then((r) => r.status)
        .catch(() => 'closed')
        .finally(() => (answeredAt = performance.now()));
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(other.server.ctx.events.waitingCount, 1);
      const closing = performance.now();
      await Promise.all([other.server.close(), polled]);
      assert.ok(answeredAt - closing < 1000, `the poll ended ${(answeredAt - closing).toFixed(0)} ms after the close began`);
      assert.ok(performance.now() - t0 < 10_000);
      assert.equal(other.server.ctx.events.waitingCount, 0);
    } finally {
      await other.database.drop();
    }
  });
});

describe('events: POST /agents/{id}/events', () => {
  const post = (agentId: string, body: unknown, token: string, headers: Record<string, string> = {}) => t.request('POST', `/v2/${PROJECT}/agents/${agentId}/events`, { token, body, headers });

  it('startup announces pending start and stop requests again, not finished work', async () => {
    const agent = await registerAgent(t, w.admin);
    const pending = await startCleanup(agent.id);
    const stopping = await startCleanup(agent.id);
    const done = await startCleanup(agent.id);
    const patch = (id: string, value: string, token: string) =>
      t.request('PATCH', `/v2/${PROJECT}/cleanups/${id}`, { token, raw: JSON.stringify([{ op: 'replace', path: '/state', value }]), headers: patchHeaders });
    assert.equal((await patch(stopping, 'stop_requested', w.creator)).status, 204);
    assert.equal((await patch(done, 'completed', agent.token)).status, 204);
    const marker = await latestMarker(agent.id);
    const res = await post(agent.id, { event: 'startup' }, agent.token);
    assert.equal(res.status, 202, res.text);
    const events = (await agentEvents(agent.id, `?marker=${marker}`)).body.events.filter((e: { event: string }) => e.event !== 'agent_heartbeat');
    assert.deepEqual(
      events.map((e: { event: string; cleanup: { id: string } }) => [e.event, e.cleanup.id]),
      [
        ['cleanup_start_request', pending],
        ['cleanup_stop_request', stopping],
      ],
    );
    assert.deepEqual(events[0].agent.vault, { id: agent.vaultId, encrypted: false });
  });

  it('startup also announces log files not yet uploaded and requests not yet answered', async () => {
    const agent = await registerAgent(t, w.admin);
    const logfile = await t.request('POST', `/v2/${PROJECT}/agents/${agent.id}/logfiles`, { token: w.admin });
    const browse = await t.request('POST', `/v2/${PROJECT}/agents/${agent.id}/browse-requests`, { token: w.creator, body: { path: '/' } });
    const browseId = browse.headers.get('location')!.split('/').pop();
    const answered = await t.request('POST', `/v2/${PROJECT}/agents/${agent.id}/browse-requests`, { token: w.creator, body: { path: '/tmp' } });
    const answeredId = answered.headers.get('location')!.split('/').pop();
    const report = await t.request('POST', `/v2/${PROJECT}/agents/${agent.id}/browse-requests/${answeredId}`, { token: agent.token, body: { succeeded: true, path: '/tmp', items: [] } });
    assert.equal(report.status, 204);
    const marker = await latestMarker(agent.id);
    assert.equal((await post(agent.id, { event: 'startup' }, agent.token)).status, 202);
    const events = (await agentEvents(agent.id, `?marker=${marker}`)).body.events.filter((e: { event: string }) => e.event !== 'agent_heartbeat');
    assert.deepEqual(
      events.map((e: { event: string; request_id: string }) => [e.event, e.request_id]),
      [
        ['logfile_upload', logfile.body.id],
        ['host_browse', browseId],
      ],
    );
  });

  it('a log file whose logfile_upload event was pruned is announced again with its upload link', async () => {
    const agent = await registerAgent(t, w.admin);
    const logfile = await t.request('POST', `/v2/${PROJECT}/agents/${agent.id}/logfiles`, { token: w.admin });
    await t.server.ctx.store.db.deleteFrom('events').where('subject_id', '=', logfile.body.id).execute();
    const marker = await latestMarker(agent.id);
    assert.equal((await post(agent.id, { event: 'startup' }, agent.token)).status, 202);
    const upload = (await agentEvents(agent.id, `?marker=${marker}`)).body.events.find((e: { event: string }) => e.event === 'logfile_upload');
    assert.equal(upload.request_id, logfile.body.id);
    assert.deepEqual(upload.links, [{ href: `${t.url}/v2/${PROJECT}/agents/${agent.id}/logfiles/${logfile.body.id}/content`, rel: 'logfile' }]);
  });

  it('restore_progress and vault_db_download_* are appended for the agent', async () => {
    const restore = await t.server.ctx.store.transaction((tx) => insertJob(tx, { projectId: PROJECT, kind: 'restore', agentId: w.agent.id, state: 'start_requested' }));
    const body = { event: 'restore_progress', restore_id: restore.id, bytes_completed: 5, bytes_remaining: 5, total_bytes: 10 };
    assert.equal((await post(w.agent.id, body, w.agent.token)).status, 202);
    const events = (await t.request('GET', `/v2/${PROJECT}/restores/${restore.id}/events`, { token: w.observer })).body.events;
    assert.deepEqual(
      events.map((e: { event: string }) => e.event),
      ['restore_progress'],
    );
    assert.deepEqual(events[0].restore, { id: restore.id });
    assert.equal((await post(w.agent.id, { ...body, event: 'backup_progress', backup_id: restore.id }, w.agent.token)).status, 404, 'a restore is no backup');
    const marker = await latestMarker(w.agent.id);
    assert.equal((await post(w.agent.id, { event: 'vault_db_download_completed', request_id: 'r-1' }, w.agent.token)).status, 202);
    const latest = (await agentEvents(w.agent.id, `?marker=${marker}`)).body.events.find((e: { event: string }) => e.event === 'vault_db_download_completed');
    assert.deepEqual([latest.agent, latest.request_id], [{ id: w.agent.id }, 'r-1']);
  });

  it("a user's request with X-Agent-Id is no sign of life of the agent; the agent's own request is", async () => {
    const agent = await registerAgent(t, w.admin);
    await t.server.ctx.store.db.updateTable('agents').set({ last_seen_at: null }).where('id', '=', agent.id).execute();
    await t.server.ctx.store.db.deleteFrom('events').where('agent_id', '=', agent.id).where('name', '=', 'agent_heartbeat').execute();
    await t.request('GET', `/v2/${PROJECT}/agents/${agent.id}`, { token: w.creator, headers: { 'x-agent-id': agent.id } });
    await new Promise((r) => setTimeout(r, 100));
    const seen = () => t.server.ctx.store.db.selectFrom('agents').select('last_seen_at').where('id', '=', agent.id).executeTakeFirstOrThrow();
    assert.equal((await seen()).last_seen_at, null);
    const beats = await t.server.ctx.store.db.selectFrom('events').select('id').where('agent_id', '=', agent.id).where('name', '=', 'agent_heartbeat').execute();
    assert.equal(beats.length, 0);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/agents/${agent.id}/status`, { token: w.creator })).body.online, false);
  });

  it("shutdown, heartbeat and a single agent's activation are appended to its stream", async () => {
    const agent = await registerAgent(t, w.admin);
    const marker = await latestMarker(agent.id);
    assert.equal((await post(agent.id, { event: 'shutdown' }, agent.token)).status, 202);
    assert.equal((await post(agent.id, { event: 'agent_heartbeat' }, agent.token)).status, 202);
    assert.equal((await post(agent.id, { event: 'agent_activate', mode: 'active' }, w.creator)).status, 202);
    const events = (await agentEvents(agent.id, `?marker=${marker}`)).body.events;
    const names = events.map((e: { event: string }) => e.event);
    assert.ok(names.includes('agent_shutdown') && names.includes('agent_heartbeat') && names.includes('agent_activate'), names.join());
    const activate = events.find((e: { event: string }) => e.event === 'agent_activate');
    assert.equal(activate.mode, 'active');
    const others = (await agentEvents(w.otherAgent.id, `?marker=${activate.id - 1}`)).body.events;
    assert.ok(!others.some((e: { id: string }) => e.id === activate.id), 'a per-agent activation reaches only that agent');
  });

  it("backup_progress carries the byte counts; another agent's backup 404; finished backup 409; unknown 404", async () => {
    const backup = await insertBackup(w.agent.id);
    const body = { event: 'backup_progress', backup: { id: backup.id }, bytes_completed: 10, bytes_remaining: 90, total_bytes: 100 };
    assert.equal((await post(w.agent.id, body, w.agent.token)).status, 202);
    const events = (await t.request('GET', `/v2/${PROJECT}/backups/${backup.id}/events`, { token: w.observer })).body.events;
    const progress = events.find((e: { event: string }) => e.event === 'backup_progress');
    assert.deepEqual(
      { agent: progress.agent, backup: progress.backup, bytes_completed: progress.bytes_completed, bytes_remaining: progress.bytes_remaining, total_bytes: progress.total_bytes },
      { agent: { id: w.agent.id }, backup: { id: backup.id }, bytes_completed: 10, bytes_remaining: 90, total_bytes: 100 },
    );
    // The file counts are optional; sent, they reach the event as they were; a negative count is a 400.
    assert.equal((await post(w.agent.id, { ...body, files_completed: 3, total_files: 12 }, w.agent.token)).status, 202);
    const withFiles = (await t.request('GET', `/v2/${PROJECT}/backups/${backup.id}/events`, { token: w.observer })).body.events.filter((e: { event: string }) => e.event === 'backup_progress');
    assert.equal(withFiles.length, 2);
    assert.deepEqual(
      withFiles.map((e: any) => [e.files_completed, e.total_files]),
      [
        [undefined, undefined],
        [3, 12],
      ],
    );
    assert.equal((await post(w.agent.id, { ...body, files_completed: -1 }, w.agent.token)).status, 400);
    const foreign = await insertBackup(w.otherAgent.id);
    assert.equal((await post(w.agent.id, { ...body, backup: { id: foreign.id } }, w.agent.token)).status, 404);
    assert.equal((await post(w.agent.id, { ...body, backup: { id: randomUUID() } }, w.agent.token)).status, 404);
    await t.server.ctx.store.db.updateTable('jobs').set({ state: 'completed' }).where('id', '=', backup.id).execute();
    assert.equal((await post(w.agent.id, body, w.agent.token)).status, 409);
  });

  it('only the agent itself may post startup: another agent 404, a user 403 with X-Agent-Id or not', async () => {
    assert.equal((await post(w.agent.id, { event: 'startup' }, w.otherAgent.token)).status, 404);
    assert.equal((await post(w.agent.id, { event: 'startup' }, w.creator)).status, 403);
    assert.equal((await post(w.agent.id, { event: 'startup' }, w.creator, { 'x-agent-id': w.agent.id })).status, 403);
    assert.equal((await post(w.agent.id, { event: 'startup' }, w.stranger)).status, 404);
    assert.equal((await t.request('POST', `/v2/${PROJECT}/agents/${w.agent.id}/events`, { token: null, body: { event: 'startup' } })).status, 401);
    assert.equal((await post(randomUUID(), { event: 'startup' }, w.agent.token)).status, 404);
    for (const body of [{}, { event: 'reboot' }, { event: 'agent_activate' }, { event: 'backup_progress', bytes_completed: 1 }]) {
      const res = await post(w.agent.id, body, w.agent.token);
      assert.equal(res.status, 400, JSON.stringify(body));
    }
  });
});

describe('events: heartbeats and retention', () => {
  it("agent requests append agent_heartbeat at most once per heartbeat interval of the agent's mode", async () => {
    const agent = await registerAgent(t, w.admin);
    const heartbeats = async () => (await t.server.ctx.store.db.selectFrom('events').select('id').where('agent_id', '=', agent.id).where('name', '=', 'agent_heartbeat').execute()).length;
    for (let i = 0; i < 3; i++) await t.request('GET', `/v2/${PROJECT}/agents/${agent.id}`, { token: agent.token });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(await heartbeats(), 1, 'idle: one heartbeat an hour');
    assert.equal((await t.request('POST', `/v2/${PROJECT}/agents/${agent.id}/events`, { token: w.creator, body: { event: 'agent_activate', mode: 'active' } })).status, 202);
    await new Promise((r) => setTimeout(r, 1100));
    await t.request('GET', `/v2/${PROJECT}/agents/${agent.id}`, { token: agent.token });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(await heartbeats(), 2, 'active: one a second');
    const list = (await agentEvents(agent.id, '?sort_dir=desc&limit=5')).body.events;
    assert.deepEqual(list.find((e: { event: string }) => e.event === 'agent_heartbeat').agent, { id: agent.id });
  });

  it('pruning drops events older than the retention, never less than 24 hours', async () => {
    assert.equal(retentionCutoff(60, Date.parse('2026-01-02T00:00:00Z')), '2026-01-01T00:00:00.000000Z');
    assert.equal(retentionCutoff(3 * 86400, Date.parse('2026-01-04T00:00:00Z')), '2026-01-01T00:00:00.000000Z');
    const old = await t.server.ctx.store.transaction((tx) => t.server.ctx.events.record(tx, { projectId: PROJECT, name: 'agent_activate', body: { mode: 'idle' } }));
    await t.server.ctx.store.db.updateTable('events').set({ time: '2020-01-01T00:00:00.000000Z' }).where('id', '=', Number(old.id)).execute();
    const oldRequest = await t.request('POST', `/v2/${PROJECT}/agents/${w.agent.id}/browse-requests`, { token: w.creator, body: { path: '/' } });
    const oldRequestId = oldRequest.headers.get('location')!.split('/').pop()!;
    await t.server.ctx.store.db.updateTable('agent_requests').set({ created_at: '2020-01-01T00:00:00.000Z' }).where('id', '=', oldRequestId).execute();
    const before = await t.server.ctx.store.db.selectFrom('events').select('id').execute();
    const pruned = await pruneEvents(t.server.ctx.store, retentionCutoff(t.server.ctx.config.eventRetentionSeconds));
    assert.equal(pruned, 1);
    assert.equal(await t.server.ctx.store.db.selectFrom('agent_requests').select('id').where('id', '=', oldRequestId).executeTakeFirst(), undefined);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/agents/${w.agent.id}/browse-requests/${oldRequestId}`, { token: w.creator })).body.message, 'Browse request not found.');
    const after = await t.server.ctx.store.db.selectFrom('events').select('id').execute();
    assert.equal(after.length, before.length - 1);
    assert.ok(!after.some((e) => String(e.id) === old.id));
  });
});
