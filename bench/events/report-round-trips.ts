// The agent's progress report on PostgreSQL below HTTP: applyJobPatch on in-progress cleanups from 16 concurrent
// reporters, with the reports of one event-loop turn written by one shared UPDATE and commit (batched-updates.ts)
// beside the same code on a store that runs one UPDATE per report (where the version matches, committed on its
// own), measured in the same run.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import { JOB_KIND_RULES } from '../../src/resources/jobs/job-kind-rules.js';
import { jobFromRow } from '../../src/resources/jobs/job.js';
import { applyJobPatch } from '../../src/resources/jobs/job-patch.action.js';
import { parseJobPatch } from '../../src/resources/jobs/job-patch.message.js';
import { EventHub } from '../../src/resources/events/event-hub.js';
import type { AppContext } from '../../src/server/context.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import type { Store } from '../../src/store/store.js';
import { insertJobWithParents } from '../../test/store/store-rows.js';

const REPORTERS = 16;

async function reportsPerSecond(store: Store, seconds: number): Promise<{ perSecond: number; p99Ms: number }> {
  const ctx = { store, events: new EventHub(store) } as unknown as AppContext;
  const rules = JOB_KIND_RULES.cleanup;
  const jobIds = await Promise.all(Array.from({ length: REPORTERS }, async () => (await insertJobWithParents(store.db)).jobId));
  let running = true;
  let done = 0;
  const latencies: number[] = [];
  const reporter = async (jobId: string) => {
    let n = 0;
    while (running) {
      const started = performance.now();
      const job = jobFromRow(await store.db.selectFrom('jobs').selectAll().where('id', '=', jobId).executeTakeFirstOrThrow());
      const message = parseJobPatch([{ op: 'replace', path: '/bytes_before', value: ++n * 1024 }], rules.patch);
      await applyJobPatch(ctx, job, 'agent', message, { ...rules, present: () => ({}) });
      latencies.push(performance.now() - started);
      done++;
    }
  };
  const reporters = jobIds.map(reporter);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const before = done;
  latencies.length = 0;
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const perSecond = (done - before) / ((performance.now() - started) / 1000);
  const sorted = [...latencies].sort((a, b) => a - b);
  running = false;
  await Promise.all(reporters);
  return { perSecond, p99Ms: Math.round(sorted[Math.floor(sorted.length * 0.99)] ?? 0) };
}

export async function runReportRoundTripsBench(serverUrl: string, seconds: number): Promise<void> {
  process.stdout.write(`\nAgent progress reports on PostgreSQL below HTTP (read the job + applyJobPatch), ${REPORTERS} reporters, ${seconds} s\n`);
  const name = `coffer_bench_rt_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const store = await openPostgresStore({ url: url.toString(), poolSize: REPORTERS });
  // The same database without shared statements: every report is an UPDATE of its own, committed on its own.
  const alone = await openPostgresStore({ url: url.toString(), poolSize: REPORTERS, batchStatements: false });
  try {
    const results: [string, { perSecond: number; p99Ms: number }][] = [];
    for (const [label, subject] of [
      ['one UPDATE per report (before)', alone],
      ['UPDATEs of a turn shared', store],
    ] as const) {
      process.stdout.write(`  ${label} …`);
      const result = await reportsPerSecond(subject, seconds);
      process.stdout.write(` ${Math.round(result.perSecond)} reports/s, p99 ${result.p99Ms} ms\n`);
      results.push([label, result]);
    }
    const ratio = results[1]![1].perSecond / results[0]![1].perSecond;
    process.stdout.write(
      `  shared / one per report: ${ratio.toFixed(2)} ×; load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}\n`,
    );
  } finally {
    await alone.close();
    await store.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}
