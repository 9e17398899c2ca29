// Two real server processes on one PostgreSQL: conflicting reports on the same cleanups through both nodes behave as
// if they had come one at a time, and a long poll on one node wakes for work created on the other.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { cleanupMachine } from '../../src/domain/state-machines/job-machines.js';
import { assertTransition, type Actor } from '../../src/domain/state-machines/state-machine.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-store.js';
import { call, inParallel, registerAgentOver, spawnServer, type ServerProcess } from './multi-node-server-process.js';

const ADMIN = 'multi-node-race-admin-token';
const PROJECT = '770001';
const CLEANUPS = 200;
const skip = process.env.TEST_DATABASE_URL ? false : 'TEST_DATABASE_URL is not set: the multi-node race needs a PostgreSQL server (.ci/run starts one)';

interface Report {
  node: 0 | 1;
  actor: Actor;
  state: string;
}

/** Per scenario: the state reached one report at a time first, then the reports sent all at once. */
const SCENARIOS: { before: string[]; reports: Report[] }[] = [
  {
    before: ['queued', 'in_progress'],
    reports: [
      { node: 0, actor: 'agent', state: 'completed' },
      { node: 1, actor: 'agent', state: 'failed' },
    ],
  },
  {
    before: ['queued'],
    reports: [
      { node: 0, actor: 'user', state: 'stop_requested' },
      { node: 1, actor: 'agent', state: 'in_progress' },
    ],
  },
  {
    before: [],
    reports: [
      { node: 0, actor: 'agent', state: 'queued' },
      { node: 1, actor: 'agent', state: 'in_progress' },
      { node: 0, actor: 'agent', state: 'completed' },
      { node: 1, actor: 'user', state: 'stop_requested' },
    ],
  },
  {
    before: ['queued', 'in_progress'],
    reports: [
      { node: 1, actor: 'user', state: 'stop_requested' },
      { node: 0, actor: 'agent', state: 'stopped' },
      { node: 1, actor: 'agent', state: 'completed' },
      { node: 0, actor: 'agent', state: 'failed' },
    ],
  },
];

/** Event name → the state it records (cleanup_stop_request → stop_requested). */
function stateOfEvent(name: string): string | null {
  if (name === 'cleanup_stop_request') return 'stop_requested';
  if (name === 'cleanup_start_request') return null;
  return name.startsWith('cleanup_') ? name.slice('cleanup_'.length) : null;
}

describe('multi-node: two server processes on one PostgreSQL', { skip }, () => {
  let database: TestDatabase;
  let nodes: ServerProcess[] = [];
  let agent: { id: string; token: string };

  before(async () => {
    database = await createTestDatabase('postgres');
    // Both nodes start at once on an empty database: they also race through the migrations.
    nodes = await Promise.all([0, 1].map(() => spawnServer({ DATABASE_URL: database.databaseUrl, COFFER_ADMIN_TOKEN: ADMIN, COFFER_DATA_DIR: database.dataDir, COFFER_MAX_LONG_POLL_SECONDS: '10' })));
    agent = await registerAgentOver(nodes[0]!.url, PROJECT, ADMIN);
  });

  after(async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    await database?.drop();
  });

  const patchState = (node: number, actor: Actor, id: string, state: string) =>
    call(nodes[node]!.url, 'PATCH', `/v2/${PROJECT}/cleanups/${id}`, actor === 'agent' ? agent.token : ADMIN, [{ op: 'replace', path: '/state', value: state }]);

  it(`${CLEANUPS} cleanups with conflicting concurrent reports: allowed final states, one event per accepted change, 409 for the refused, no 5xx`, async (t) => {
    const runs = await inParallel(
      Array.from({ length: CLEANUPS }, (_, i) => i),
      16,
      async (i) => {
        const scenario = SCENARIOS[i % SCENARIOS.length]!;
        const created = await call(nodes[i % 2]!.url, 'POST', `/v2/${PROJECT}/cleanups`, ADMIN, { agent_id: agent.id, state: 'start_requested' });
        assert.equal(created.status, 201, created.text);
        const id = created.body.id as string;
        for (const state of scenario.before) {
          const res = await patchState(i % 2, 'agent', id, state);
          assert.equal(res.status, 204, res.text);
        }
        const answers = await Promise.all(scenario.reports.map((r) => patchState(r.node, r.actor, id, r.state)));
        return { id, scenario, answers };
      },
    );

    const client = new pg.Client({ connectionString: database.databaseUrl });
    await client.connect();
    try {
      let accepted = 0;
      let refused = 0;
      for (const { id, scenario, answers } of runs) {
        const statuses = answers.map((a) => a.status);
        assert.deepEqual(
          statuses.filter((s) => s !== 204 && s !== 409),
          [],
          `cleanup ${id}: unexpected answers ${answers.map((a) => `${a.status} ${a.text}`).join(' | ')}`,
        );
        const job = await client.query<{ state: string; version_no: number }>('SELECT state, version_no FROM jobs WHERE id = $1', [id]);
        const events = await client.query<{ name: string }>('SELECT name FROM events WHERE subject_id = $1 ORDER BY id', [id]);
        const chain = events.rows.map((e) => stateOfEvent(e.name)).filter((s): s is string => s !== null);
        // Replaying the recorded changes through the machine, one at a time, ends in the stored state.
        let state = 'start_requested';
        for (const next of chain) {
          const actor = next === 'stop_requested' ? 'user' : 'agent';
          assert.equal(assertTransition(cleanupMachine, state, next, actor), 'change', `cleanup ${id}: ${state} → ${next} recorded`);
          state = next;
        }
        assert.equal(job.rows[0]!.state, state, `cleanup ${id}: stored state differs from its events`);
        assert.equal(job.rows[0]!.version_no, 1 + chain.length, `cleanup ${id}: one version per recorded change`);
        // Every accepted report has exactly one event, every refused one none.
        const concurrentChanges = chain.slice(scenario.before.length);
        const acceptedStates = scenario.reports.filter((_, k) => statuses[k] === 204).map((r) => r.state);
        assert.deepEqual([...concurrentChanges].sort(), [...acceptedStates].sort(), `cleanup ${id}: answers ${statuses} vs events ${chain}`);
        accepted += acceptedStates.length;
        refused += statuses.filter((s) => s === 409).length;
      }
      t.diagnostic(`${accepted} reports accepted (one event each), ${refused} refused with 409`);
      assert.ok(refused > 0 && accepted > 0, 'the reports really conflicted');
    } finally {
      await client.end();
    }
  });

  it('a long poll on one node wakes within 200 ms for a cleanup created on the other', async (t) => {
    for (let round = 0; round < 3; round++) {
      const latest = await call(nodes[0]!.url, 'GET', `/v2/${PROJECT}/agents/${agent.id}/events?sort_dir=desc&limit=1`, ADMIN);
      assert.equal(latest.status, 200, latest.text);
      const marker = latest.body.events[0]?.id ?? '0';
      const polling = call(nodes[0]!.url, 'GET', `/v2/${PROJECT}/agents/${agent.id}/events?marker=${marker}&wait=10`, agent.token).then((res) => ({ res, at: performance.now() }));
      await new Promise((resolve) => setTimeout(resolve, 300)); // the poll is waiting on node A
      const created = await call(nodes[1]!.url, 'POST', `/v2/${PROJECT}/cleanups`, ADMIN, { agent_id: agent.id, state: 'start_requested' });
      const createdAt = performance.now();
      assert.equal(created.status, 201, created.text);
      const { res, at } = await polling;
      assert.equal(res.status, 200, res.text);
      assert.ok(
        res.body.events.some((e: { event: string; cleanup?: { id: string } }) => e.event === 'cleanup_start_request' && e.cleanup?.id === created.body.id),
        res.text,
      );
      t.diagnostic(`round ${round}: woke ${Math.round(at - createdAt)} ms after the 201 on the other node`);
      assert.ok(at - createdAt < 200, `the long poll on node A answered ${Math.round(at - createdAt)} ms after node B created the cleanup`);
    }
  });
});
