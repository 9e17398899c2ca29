import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { buildWorld, patchHeaders, PROJECT, type World } from '../helpers/fixtures.js';
import { startDueVerifications } from '../../src/resources/verifications/verification-scheduler.js';

let t: TestServer;
let w: World;

before(async () => {
  t = await startTestServer();
  w = await buildWorld(t);
});
after(async () => t.close());

const DAILY = { recurrence: ['RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=3;BYMINUTE=0'], time_zone: 'Europe/Berlin' };
const settingsUrl = (agentId = w.agent.id) => `/v2/${PROJECT}/agents/${agentId}/verification`;
const report = (id: string, ops: unknown[], token = w.agent.token) => t.request('PATCH', `/v2/${PROJECT}/verifications/${id}`, { token, headers: patchHeaders, raw: JSON.stringify(ops) });

describe('verification schedules', () => {
  it('refuses bad settings with a 400 naming the field and stores nothing', async () => {
    const cases: [unknown, string][] = [
      [{ enabled: true, schedule: DAILY, read_data_subsets: 0 }, 'read_data_subsets must be at least 1.'],
      [{ enabled: true, schedule: DAILY, read_data_subsets: 257 }, 'read_data_subsets must be at most 256.'],
      [{ enabled: true, schedule: DAILY, read_data_subsets: -3 }, 'read_data_subsets must be at least 1.'],
      [{ enabled: true, schedule: DAILY, read_data_subsets: 4, every: 'day' }, 'every is not a verification field'],
      [{ enabled: true, schedule: { recurrence: ['RRULE:FREQ=MINUTELY'], time_zone: 'UTC' }, read_data_subsets: 4 }, 'schedule'],
      [{ enabled: 'yes', schedule: null, read_data_subsets: 4 }, 'enabled must be true or false.'],
    ];
    for (const [body, message] of cases) {
      const res = await t.request('PUT', settingsUrl(), { token: w.creator, body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.ok(
        res.body.errors.some((e: string) => e.startsWith(message)),
        `${res.text} names ${message}`,
      );
    }
    const read = await t.request('GET', settingsUrl(), { token: w.observer });
    assert.deepEqual([read.body.enabled, read.body.schedule, read.body.read_data_subsets], [false, null, 1]);
  });

  it('creators set it, observers and the agent read it, other agents and projects do not', async () => {
    assert.equal((await t.request('PUT', settingsUrl(), { token: w.observer, body: { enabled: true, schedule: DAILY, read_data_subsets: 3 } })).status, 403);
    assert.equal((await t.request('PUT', settingsUrl(), { token: w.agent.token, body: { enabled: true, schedule: DAILY, read_data_subsets: 3 } })).status, 403);
    const saved = await t.request('PUT', settingsUrl(), { token: w.creator, body: { enabled: true, schedule: DAILY, read_data_subsets: 3 } });
    assert.equal(saved.status, 200, saved.text);
    assert.equal(saved.body.read_data_subsets, 3);
    assert.match(saved.body.next_run_time, /T0[12]:00:00\.000Z$/, '03:00 in Berlin');
    assert.equal((await t.request('GET', settingsUrl(), { token: w.agent.token })).status, 200);
    assert.equal((await t.request('GET', settingsUrl(), { token: w.otherAgent.token })).status, 404, "another agent's schedule does not exist for an agent");
    assert.equal((await t.request('GET', settingsUrl(), { token: w.stranger })).status, 404);
  });

  it('runs take the subsets in turn; only the agent reports, once ended a run takes no more changes', async () => {
    await t.request('PUT', settingsUrl(), { token: w.creator, body: { enabled: true, schedule: null, read_data_subsets: 2 } });
    const first = await t.request('POST', `${settingsUrl()}/actions/run`, { token: w.creator });
    assert.equal(first.status, 202, first.text);
    assert.equal(first.body.read_data_subset, '1/2');
    assert.equal((await report(first.body.id, [{ op: 'replace', path: '/state', value: 'passed' }], w.creator)).status, 403);
    assert.equal((await report(first.body.id, [{ op: 'replace', path: '/state', value: 'passed' }], w.otherAgent.token)).status, 404);
    assert.equal((await report(first.body.id, [{ op: 'replace', path: '/state', value: 'bogus' }])).status, 400);
    assert.equal((await report(first.body.id, [{ op: 'replace', path: '/packs_read', value: -1 }])).status, 400);
    assert.equal((await report(first.body.id, [{ op: 'replace', path: '/owner', value: 'me' }])).status, 400);
    const staleTest = await report(first.body.id, [
      { op: 'test', path: '/state', value: 'in_progress' },
      { op: 'replace', path: '/state', value: 'in_progress' },
    ]);
    assert.equal(staleTest.status, 409, 'a test op is judged against the run as stored');
    assert.match(staleTest.body.message, /Operation 0: test failed/);
    assert.equal(
      (
        await report(first.body.id, [
          { op: 'test', path: '/state', value: 'start_requested' },
          { op: 'replace', path: '/state', value: 'in_progress' },
        ])
      ).status,
      204,
    );
    const ended = await report(first.body.id, [
      { op: 'replace', path: '/errors', value: [] },
      { op: 'replace', path: '/packs_read', value: 5 },
      { op: 'replace', path: '/state', value: 'passed' },
    ]);
    assert.equal(ended.status, 204, ended.text);
    assert.equal((await report(first.body.id, [{ op: 'replace', path: '/state', value: 'passed' }])).status, 204, 'the same state again is a no-op');
    assert.equal((await report(first.body.id, [{ op: 'replace', path: '/state', value: 'failed' }])).status, 409);
    const second = await t.request('POST', `${settingsUrl()}/actions/run`, { token: w.creator });
    assert.equal(second.body.read_data_subset, '2/2');
    const third = await t.request('POST', `${settingsUrl()}/actions/run`, { token: w.creator });
    assert.equal(third.body.read_data_subset, '1/2');
    const event = (await t.request('GET', `/v2/${PROJECT}/agents/${w.agent.id}/events?sort_dir=asc&limit=1000`, { token: w.agent.token })).body.events.find(
      (e: any) => e.event === 'verification_start_request' && e.verification?.id === second.body.id,
    );
    assert.equal(event.verification.read_data_subset, '2/2');
    assert.equal((await t.request('GET', `/v2/${PROJECT}/verifications/${first.body.id}`, { token: w.stranger })).status, 404);
  });

  it('the scheduler starts a run at its time once, and not while one is still open', async () => {
    const agent = w.otherAgent;
    const saved = await t.request('PUT', settingsUrl(agent.id), { token: w.creator, body: { enabled: true, schedule: DAILY, read_data_subsets: 5 } });
    const due = new Date(saved.body.next_run_time);
    assert.equal(await startDueVerifications(t.server.ctx, new Date(due.getTime() - 1000)), 0, 'not yet');
    assert.equal(await startDueVerifications(t.server.ctx, due), 1);
    assert.equal(await startDueVerifications(t.server.ctx, due), 0, 'claimed once');
    const next = new Date((await t.request('GET', settingsUrl(agent.id), { token: w.observer })).body.next_run_time);
    assert.equal(next.getTime() - due.getTime(), 86_400_000);
    assert.equal(await startDueVerifications(t.server.ctx, next), 0, 'the first run is still open');
    const runs = (await t.request('GET', `/v2/${PROJECT}/agents/${agent.id}/activities?type=verification`, { token: w.observer })).body.activities;
    assert.equal(runs.length, 1);
    assert.equal(runs[0].state, 'start_requested');
  });

  it("lists an agent's runs newest first, in pages, to the project and that agent only", async () => {
    await t.request('PUT', settingsUrl(), { token: w.creator, body: { enabled: false, schedule: null, read_data_subsets: 3 } });
    const started: string[] = [];
    for (let i = 0; i < 3; i++) started.push((await t.request('POST', `${settingsUrl()}/actions/run`, { token: w.creator })).body.id);
    const runsUrl = `${settingsUrl()}/runs`;
    const all = await t.request('GET', runsUrl, { token: w.observer });
    assert.equal(all.status, 200, all.text);
    const ids = all.body.verification_runs.map((r: any) => r.id);
    assert.deepEqual(ids.slice(0, 3), [...started].reverse(), 'newest first');
    assert.ok(all.body.verification_runs.every((r: any) => r.agent.id === w.agent.id && typeof r.read_data_subset === 'string'));
    assert.deepEqual(all.body.links, []);

    const first = await t.request('GET', `${runsUrl}?limit=2`, { token: w.agent.token });
    assert.equal(first.status, 200, 'the agent itself reads its runs');
    assert.deepEqual(
      first.body.verification_runs.map((r: any) => r.id),
      ids.slice(0, 2),
    );
    const next = first.body.links.find((l: any) => l.rel === 'next').href as string;
    const second = await t.request('GET', next.slice(t.url.length), { token: w.observer });
    assert.deepEqual(
      second.body.verification_runs.map((r: any) => r.id),
      ids.slice(2, 4),
    );

    assert.equal((await t.request('GET', runsUrl, { token: w.otherAgent.token })).status, 404, "another agent's runs do not exist for an agent");
    assert.equal((await t.request('GET', runsUrl, { token: w.stranger })).status, 404);
    const otherAgentsRun = (await t.request('POST', `${settingsUrl(w.otherAgent.id)}/actions/run`, { token: w.creator })).body.id;
    for (const query of ['?sort_dir=asc', '?limit=0', `?marker=${otherAgentsRun}`, '?marker=nope']) {
      const res = await t.request('GET', `${runsUrl}${query}`, { token: w.observer });
      assert.equal(res.status, 400, `${query}: ${res.text}`);
    }
  });
});
