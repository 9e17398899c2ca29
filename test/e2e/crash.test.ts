// kill -9 at a random moment while a client drives reports at full speed: after a restart every report that got a
// 2xx is there, and no change is half-applied (a job's state and its events agree). On SQLite, and on PostgreSQL when
// TEST_DATABASE_URL is set.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanupMachine } from '../../src/domain/state-machines/job-machines.js';
import { assertTransition } from '../../src/domain/state-machines/state-machine.js';
import { createTestDatabase, type TestEngine } from '../helpers/test-store.js';
import { call, registerAgentOver, spawnServer } from './multi-node-server-process.js';

const ADMIN = 'crash-test-admin-token';
const PROJECT = '880001';
const REPORTS = ['queued', 'in_progress', 'completed'];
const PROGRESS_REPORTS = 3;
const RANK: Record<string, number> = { start_requested: 0, queued: 1, in_progress: 2, completed: 3 };

function stateOfEvent(name: string): string | null {
  if (name === 'cleanup_start_request') return null;
  return name.startsWith('cleanup_') ? name.slice('cleanup_'.length) : null;
}

const engines: { engine: TestEngine; skip: string | false }[] = [
  { engine: 'sqlite', skip: false },
  { engine: 'postgres', skip: process.env.TEST_DATABASE_URL ? false : 'TEST_DATABASE_URL is not set: no PostgreSQL to crash against' },
];

for (const { engine, skip } of engines) {
  describe(`crash (${engine})`, { skip }, () => {
    it('every report answered 2xx before SIGKILL survives the restart, and nothing is half-applied', async (t) => {
      const database = await createTestDatabase(engine);
      const env = { DATABASE_URL: database.databaseUrl, COFFER_DATA_DIR: database.dataDir, COFFER_ADMIN_TOKEN: ADMIN };
      let server = await spawnServer(env);
      try {
        const agent = await registerAgentOver(server.url, PROJECT, ADMIN);
        /** The highest state each cleanup was acknowledged in (created = start_requested). */
        const acknowledged = new Map<string, string>();
        /** The last bytes_before each cleanup's progress report was acknowledged with. */
        const progressed = new Map<string, number>();
        let killed = false;
        let failure: unknown = null;
        const drive = async () => {
          while (!killed) {
            try {
              const created = await call(server.url, 'POST', `/v2/${PROJECT}/cleanups`, ADMIN, { agent_id: agent.id, state: 'start_requested' });
              if (created.status !== 201) throw new Error(`create: ${created.status} ${created.text}`);
              acknowledged.set(created.body.id, 'start_requested');
              for (const state of REPORTS) {
                const res = await call(server.url, 'PATCH', `/v2/${PROJECT}/cleanups/${created.body.id}`, agent.token, [{ op: 'replace', path: '/state', value: state }]);
                if (res.status !== 204) throw new Error(`report ${state}: ${res.status} ${res.text}`);
                acknowledged.set(created.body.id, state);
                if (state !== 'in_progress') continue;
                // Progress reports (no state change: a lone UPDATE outside any transaction on SQLite).
                for (let bytes = 1; bytes <= PROGRESS_REPORTS; bytes++) {
                  const progress = await call(server.url, 'PATCH', `/v2/${PROJECT}/cleanups/${created.body.id}`, agent.token, [{ op: 'replace', path: '/bytes_before', value: bytes }]);
                  if (progress.status !== 204) throw new Error(`progress ${bytes}: ${progress.status} ${progress.text}`);
                  progressed.set(created.body.id, bytes);
                }
              }
            } catch (error) {
              if (killed) return; // the request in flight at the kill has no answer: it may or may not be there
              failure = error;
              throw error;
            }
          }
        };
        const clients = Array.from({ length: 12 }, drive);
        // Under way first (a slow machine may need a while), then a random moment.
        while (acknowledged.size < 10 && failure === null) await new Promise((resolve) => setTimeout(resolve, 20));
        const killAfter = 100 + Math.floor(Math.random() * 1200);
        await new Promise((resolve) => setTimeout(resolve, killAfter));
        killed = true;
        await server.kill();
        await Promise.all(clients);
        t.diagnostic(`SIGKILL ${killAfter} ms after the 10th cleanup; ${acknowledged.size} cleanups acknowledged`);
        assert.ok(acknowledged.size > 10, 'the client got reports through before the kill');

        server = await spawnServer(env);
        for (const [id, state] of acknowledged) {
          const job = await call(server.url, 'GET', `/v2/${PROJECT}/cleanups/${id}`, ADMIN);
          assert.equal(job.status, 200, `cleanup ${id} acknowledged before the kill is missing: ${job.text}`);
          assert.ok(RANK[job.body.state]! >= RANK[state]!, `cleanup ${id} was acknowledged ${state} but is ${job.body.state}`);
          const bytes = progressed.get(id) ?? 0;
          assert.ok(job.body.bytes_before >= bytes, `cleanup ${id}: progress ${bytes} was acknowledged but bytes_before is ${job.body.bytes_before}`);
          const events = await call(server.url, 'GET', `/v2/${PROJECT}/cleanups/${id}/events?limit=100`, ADMIN);
          assert.equal(events.status, 200, events.text);
          const names = (events.body.events as { event: string }[]).map((e) => e.event);
          assert.ok(names.includes('cleanup_start_request'), `cleanup ${id} lost its start event`);
          let replayed = 'start_requested';
          const chain = names.map(stateOfEvent).filter((s): s is string => s !== null);
          for (const next of chain) {
            assertTransition(cleanupMachine, replayed, next, 'agent');
            replayed = next;
          }
          assert.equal(replayed, job.body.state, `cleanup ${id}: state ${job.body.state} but events ${names}`);
        }
        // The restarted node takes reports again.
        const [someId] = [...acknowledged].find(([, state]) => state !== 'completed') ?? [];
        if (someId) {
          const res = await call(server.url, 'PATCH', `/v2/${PROJECT}/cleanups/${someId}`, agent.token, [{ op: 'replace', path: '/state', value: 'completed' }]);
          assert.equal(res.status, 204, res.text);
        }
      } finally {
        await server.stop();
        await database.drop();
      }
    });
  });
}
