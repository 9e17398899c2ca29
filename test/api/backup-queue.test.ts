import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { loadServerConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import type { Store } from '../../src/store/store.js';
import { PROJECT } from '../helpers/fixtures.js';
import { InProcessAgent } from '../helpers/in-process-agent.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../helpers/test-server.js';

/*
 * The backup queue with real agents on real files: 20 configurations on 4 agents, all scheduled for the same
 * minute, a project limit of 3. On PostgreSQL the agents talk to two API nodes sharing the database, so admission
 * decisions of both nodes meet. The events must show at most 3 backups running at any moment, every backup done
 * exactly once, and a restore created while backups wait running before the waiting backups of its agent and
 * without waiting for the queue to drain.
 */

const LIMIT = 3;
const JITTER_SECONDS = 2;
const AGENTS = 4;
const CONFIGS_PER_AGENT = 5;
const PASSWORD = 'ops-password-123';
const ENDED = new Set(['completed', 'completed_with_errors', 'failed', 'stopped', 'skipped', 'missed']);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let t: TestServer;
let second: { server: RunningServer; store: Store } | undefined;
const agents: InProcessAgent[] = [];
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'coffer-queue-'));

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

function writeTree(dir: string): void {
  fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'a.bin'), randomBytes(48 * 1024));
  fs.writeFileSync(path.join(dir, 'sub', 'b.txt'), `tree ${dir}\n`.repeat(200));
}

before(async () => {
  t = await startTestServer();
  if (t.database.engine === 'postgres') {
    const store = await t.database.open();
    const config = loadServerConfig({}, { host: '127.0.0.1', port: 0, dataDir: t.database.dataDir, databaseUrl: t.database.databaseUrl, adminToken: ADMIN_TOKEN, logLevel: 'silent' });
    second = { server: await startServer(config, { store, logger: pino({ level: 'silent' }) }), store };
  }
  const user = await t.request('POST', '/admin/users', { body: { username: 'ops', password: PASSWORD, project_id: PROJECT, roles: ['cloudbackup:admin'] } });
  assert.equal(user.status, 201, user.text);
});

/** Stops every agent (again is harmless): in the test's `finally`, so that a failed assertion ends the file at once. */
const stopAgents = () => Promise.all(agents.map((agent) => agent.stop().catch(() => undefined)));

after(async () => {
  await stopAgents();
  if (second) {
    await second.server.close();
    await second.store.close();
  }
  await t?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('backup queue', { timeout: 180_000 }, () => {
  it('20 backups due at the same minute with a limit of 3: never more than 3 run, all complete, a restore goes first', async () => {
    try {
      const settings = await t.request('PUT', `/v2/${PROJECT}/settings/queue`, { body: { max_running_backups: LIMIT, start_jitter_seconds: JITTER_SECONDS } });
      assert.equal(settings.status, 204, settings.text);

      for (let i = 0; i < AGENTS; i++) agents.push(await InProcessAgent.register({ api: t.url, user: 'ops', password: PASSWORD, name: `host-${i}` }));
      const trees = new Map<string, string>();
      for (const [index, agent] of agents.entries()) {
        for (let c = 0; c < CONFIGS_PER_AGENT; c++) {
          const tree = path.join(work, `tree-${index}-${c}`);
          writeTree(tree);
          const created = await t.request('POST', `/v2/${PROJECT}/configurations`, {
            body: {
              agent_id: agent.id,
              name: `nightly-${index}-${c}`,
              enabled: true,
              schedule: { recurrence: ['RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=3;BYMINUTE=0'], time_zone: 'UTC' },
              retention: { days: 30 },
              inclusions: [{ type: 'folder', path: tree }],
              exclusions: [],
              notifications: [{ type: 'email', destination: 'ops@example.com', on_success: false, on_failure: true }],
            },
          });
          assert.equal(created.status, 201, created.text);
          trees.set(created.body.id, tree);
        }
      }
      const document = await t.request('GET', `/v2/${PROJECT}/agents/${agents[0]!.id}/configuration`);
      assert.deepEqual(document.body.system_preferences.job_controls, { max_running_jobs: 1, start_jitter_seconds: JITTER_SECONDS, upload_bytes_per_second: null, download_bytes_per_second: null });
      const due = Date.parse(document.body.configurations[0].times[0]);
      assert.ok(
        document.body.configurations.every((c: any) => Date.parse(c.times[0]) === due),
        'every configuration is due at the same time',
      );

      // Every agent's clock reads 3 s before the due time at the same real moment; on PostgreSQL half of them talk
      // to the second node.
      const clockOffsetMs = due - (Date.now() + 3000);
      agents.forEach((agent, index) => agent.start({ clockOffsetMs, api: second && index % 2 === 1 ? second.server.url : undefined }));

      // While backups wait: their queue positions, then a restore of the first finished backup onto its own agent.
      const source = await waitFor('a finished backup while others still wait', async () => {
        const list = (await t.request('GET', `/v2/${PROJECT}/backups?limit=100`)).body.backups as any[];
        const done = list.find((b) => b.state === 'completed');
        return done && list.filter((b) => b.queue_position !== null).length >= 8 ? done : undefined;
      });
      const restoreTarget = path.join(work, 'restored');
      const restore = await t.request('POST', `/v2/${PROJECT}/restores`, {
        body: { backup_id: source.id, destination_agent_id: source.agent.id, destination_path: restoreTarget, overwrite_files: false },
      });
      assert.equal(restore.status, 201, restore.text);
      // The backups still waiting, with their places. The list's rows and the places are two reads: a backup admitted
      // between them has no place, and a backup whose row another transaction still holds back (PostgreSQL's commit
      // horizon, src/store/commit-order.ts) is listed a moment later. So read again (a few times at most) until
      // every place from 1 up is in the list; each backup listed was waiting then, and so when the restore was created.
      const seqOf = async (ids: string[]) => new Map((await t.server.ctx.store.db.selectFrom('jobs').select(['id', 'seq']).where('id', 'in', ids).execute()).map((row) => [row.id, Number(row.seq)]));
      let waitingThen: any[] = [];
      let places: number[] = [];
      for (let read = 0; read < 20; read++) {
        waitingThen = ((await t.request('GET', `/v2/${PROJECT}/backups?limit=100&sort_dir=asc`)).body.backups as any[]).filter((b) => b.queue_position !== null);
        places = waitingThen.map((b) => b.queue_position).sort((a, b) => a - b);
        if (places.every((place, i) => place === i + 1)) break;
        await sleep(50);
      }
      assert.ok(waitingThen.length >= 3, `backups still waiting when the restore was created: ${waitingThen.length}`);
      assert.deepEqual(
        places,
        places.map((_, i) => i + 1),
        'the places of the waiting backups count 1, 2, 3 …',
      );
      assert.ok(waitingThen.every((b) => b.state === 'queued'));
      // Places follow the order the backups were inserted, which is the order they are admitted in (the list itself
      // follows the stream order of commits, which on PostgreSQL may differ).
      const seqs = await seqOf(waitingThen.map((b) => b.id));
      const bySeq = [...waitingThen].sort((a, b) => seqs.get(a.id)! - seqs.get(b.id)!);
      assert.deepEqual(
        bySeq.map((b) => b.queue_position),
        bySeq.map((_, i) => i + 1),
      );

      const final = await waitFor(
        'every backup and the restore to end',
        async () => {
          const list = (await t.request('GET', `/v2/${PROJECT}/backups?limit=100`)).body.backups as any[];
          const restored = (await t.request('GET', `/v2/${PROJECT}/restores/${restore.body.id}`)).body;
          return list.length === AGENTS * CONFIGS_PER_AGENT && list.every((b) => ENDED.has(b.state)) && ENDED.has(restored.state) ? { list, restored } : undefined;
        },
        120_000,
        200,
      );
      assert.deepEqual(
        final.list.filter((b) => b.state !== 'completed').map((b) => `${b.id} ${b.state}`),
        [],
      );
      assert.equal(final.restored.state, 'completed');
      assert.ok(final.list.every((b) => b.queue_position === null));
      assert.equal(new Set(final.list.map((b) => b.configuration.id)).size, AGENTS * CONFIGS_PER_AGENT, 'one backup per configuration');
      const sourceTree = trees.get(source.configuration.id)!;
      assert.deepEqual(fs.readFileSync(path.join(restoreTarget, sourceTree, 'a.bin')), fs.readFileSync(path.join(sourceTree, 'a.bin')));

      // The start jitter spread the scheduled starts over its window after the due time (by the agents' clocks).
      const created = (await t.server.ctx.store.db.selectFrom('jobs').select('created_at').where('kind', '=', 'backup').execute()).map((row) => Date.parse(row.created_at) + clockOffsetMs - due);
      assert.ok(Math.min(...created) >= -100, `no backup created before its time: ${Math.min(...created)} ms`);
      // Generous: on a loaded machine the server may take seconds to answer 20 starts (src/agent/scheduler.test.ts
      // checks the jitter itself).
      assert.ok(Math.max(...created) <= JITTER_SECONDS * 1000 + 15_000, `every backup created soon after its time: ${Math.max(...created)} ms`);

      // From the events, in commit order: a backup runs from its first report of work to its end.
      const events = await t.server.ctx.store.db.selectFrom('events').select(['id', 'name', 'subject_id', 'time']).where('project_id', '=', PROJECT).orderBy('id').execute();
      if (process.env.COFFER_TEST_QUEUE_TRACE) for (const e of events) console.error(e.time, e.name, e.subject_id);
      const running = new Set<string>();
      const started = new Map<string, number>();
      let most = 0;
      for (const event of events) {
        const id = event.subject_id!;
        if (event.name === 'backup_preparing' || event.name === 'backup_in_progress') {
          if (event.name === 'backup_preparing') assert.ok(!started.has(id), `backup ${id} started twice`);
          started.set(id, started.get(id) ?? Number(event.id));
          running.add(id);
        } else if (/^backup_(completed|failed|stopped|skipped)$/.test(event.name)) {
          running.delete(id);
        }
        most = Math.max(most, running.size);
      }
      assert.equal(started.size, AGENTS * CONFIGS_PER_AGENT);
      assert.ok(most <= LIMIT, `at most ${LIMIT} backups ran at once, the events show ${most}`);
      assert.equal(most, LIMIT, 'the limit was reached (the test really queued)');
      const queuedEvents = events.filter((e) => e.name === 'backup_queued').length;
      assert.ok(queuedEvents >= 8, `backups the server queued: ${queuedEvents}`);
      for (const backup of final.list) {
        const requests = events.filter((e) => e.subject_id === backup.id && e.name === 'backup_start_request').length;
        assert.ok(requests <= 1, `backup ${backup.id} was handed to its agent ${requests} times`);
      }

      // The restore ran before every backup of its agent that was waiting when it was created, and did not wait for
      // the queue to drain.
      const restoreStarted = Number(events.find((e) => e.subject_id === restore.body.id && e.name === 'restore_in_progress')!.id);
      const restoreEnded = Number(events.find((e) => e.subject_id === restore.body.id && e.name === 'restore_completed')!.id);
      const sameAgent = waitingThen.filter((b) => b.agent.id === source.agent.id);
      assert.ok(sameAgent.length > 0, "backups of the restore's agent were waiting");
      for (const backup of sameAgent) {
        assert.ok(restoreStarted < started.get(backup.id)!, `restore started (event ${restoreStarted}) before backup ${backup.id} (event ${started.get(backup.id)})`);
      }
      assert.ok(restoreEnded < Math.max(...started.values()), 'the restore ended before the last queued backup started');
    } finally {
      await stopAgents();
    }
  });
});
