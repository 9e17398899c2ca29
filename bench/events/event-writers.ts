// Event-writing transactions on PostgreSQL from 50 connections split over two stores (two nodes' pools), each
// transaction inserting one event (with its notification) through the EventHub and committing, while a reader pages
// the stream by marker the way every list does (src/store/commit-order.ts). Baseline in the same run: the scheme this
// replaced, a statement trigger that takes one advisory lock before every event insert (held through COMMIT).
// At the end the reader must have seen every committed event exactly once.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import { EventHub } from '../../src/resources/events/event-hub.js';
import { beyondSql, cutAtHorizon, readCommitHorizon, settledSql, streamOrderSql, type StreamPosition } from '../../src/store/commit-order.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import type { Store } from '../../src/store/store.js';
import { cpuMs } from '../http/load.js';

const CONNECTIONS = 50;
const PROJECT = 'bench-events';

export interface EventWritersResult {
  scheme: string;
  perSecond: number;
  p99Ms: number;
  committed: number;
  seen: number;
  duplicates: number;
  /** CPU per committed transaction during the counted window: this process (the two nodes' work) and PostgreSQL's backends of the bench database. */
  nodeCpuUs: number;
  databaseCpuUs: number | undefined;
}

/**
 * CPU (ms) used so far by PostgreSQL's backends connected to `database`, when the server runs on this machine (read
 * from /proc); undefined otherwise.
 */
async function databaseCpuMs(admin: pg.Client, database: string): Promise<number | undefined> {
  const { rows } = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database]);
  try {
    return rows.reduce((sum, row) => sum + cpuMs(row.pid), 0);
  } catch {
    return undefined;
  }
}

async function withDatabase<T>(serverUrl: string, body: (url: string, cpu: () => Promise<number | undefined>) => Promise<T>): Promise<T> {
  const name = `coffer_bench_ev_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  try {
    return await body(url.toString(), () => databaseCpuMs(admin, name));
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

/** The advisory-lock trigger Coffer used before the commit horizon, for the baseline. */
async function installInsertLock(store: Store): Promise<void> {
  await store.db.executeQuery({
    sql: `CREATE OR REPLACE FUNCTION bench_insert_lock() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN PERFORM pg_advisory_xact_lock(4242002, hashtext(TG_TABLE_NAME)); RETURN NULL; END $$`,
    parameters: [],
  } as never);
  await store.db.executeQuery({ sql: 'CREATE TRIGGER bench_insert_lock BEFORE INSERT ON events FOR EACH STATEMENT EXECUTE FUNCTION bench_insert_lock()', parameters: [] } as never);
}

async function measureScheme(serverUrl: string, scheme: 'advisory lock (before)' | 'commit horizon', seconds: number): Promise<EventWritersResult> {
  return withDatabase(serverUrl, async (url, databaseCpu) => {
    const nodes = [await openPostgresStore({ url, poolSize: CONNECTIONS / 2 }), await openPostgresStore({ url, poolSize: CONNECTIONS / 2 })];
    const reader = await openPostgresStore({ url, poolSize: 2 });
    try {
      if (scheme === 'advisory lock (before)') await installInsertLock(nodes[0]!);
      const hubs = nodes.map((store) => new EventHub(store));
      const committed: number[] = [];
      const latencies: number[] = [];
      let running = true;
      const writer = async (index: number) => {
        const store = nodes[index % nodes.length]!;
        const hub = hubs[index % hubs.length]!;
        while (running) {
          const started = performance.now();
          const event = await store.transaction((tx) => hub.record(tx, { projectId: PROJECT, agentId: `agent-${index}`, name: 'agent_activate', body: { mode: 'active' } }));
          latencies.push(performance.now() - started);
          committed.push(Number(event.id));
        }
      };
      const seen = new Map<number, number>();
      let position: StreamPosition | undefined;
      const readPage = async (): Promise<number> => {
        const horizon = await readCommitHorizon(reader.db, 'postgres');
        let query = reader.db.selectFrom('events').select(['id', 'commit_tx']).select(settledSql(horizon).as('settled')).where('project_id', '=', PROJECT);
        if (position) query = query.where(beyondSql(position, 'id', 'asc'));
        const { rows } = cutAtHorizon(await query.orderBy(streamOrderSql('id', 'asc')).limit(1000).execute());
        for (const row of rows) seen.set(Number(row.id), (seen.get(Number(row.id)) ?? 0) + 1);
        const last = rows.at(-1);
        if (last) position = { commitTx: Number(last.commit_tx), id: Number(last.id) };
        return rows.length;
      };
      const reading = (async () => {
        while (running) if ((await readPage()) === 0) await new Promise((resolve) => setTimeout(resolve, 2));
      })();
      const writers = Array.from({ length: CONNECTIONS }, (_, i) => writer(i));
      // Warm up one second, then count.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const before = committed.length;
      latencies.length = 0;
      const databaseCpuBefore = await databaseCpu();
      const nodeCpuBefore = process.cpuUsage();
      const started = performance.now();
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      const counted = committed.length - before;
      const elapsed = (performance.now() - started) / 1000;
      const nodeCpu = process.cpuUsage(nodeCpuBefore);
      const databaseCpuAfter = await databaseCpu();
      const databaseCpuUs = databaseCpuBefore === undefined || databaseCpuAfter === undefined ? undefined : (1000 * (databaseCpuAfter - databaseCpuBefore)) / counted;
      const sorted = [...latencies].sort((a, b) => a - b);
      running = false;
      await Promise.all(writers);
      await reading;
      for (let i = 0; i < 200 && (await readPage()) > 0; i++);
      let duplicates = 0;
      for (const count of seen.values()) if (count > 1) duplicates++;
      const missed = committed.filter((id) => !seen.has(id)).length;
      if (missed > 0) throw new Error(`${scheme}: the marker reader skipped ${missed} committed events`);
      return {
        scheme,
        perSecond: counted / elapsed,
        p99Ms: Math.round(sorted[Math.floor(sorted.length * 0.99)] ?? 0),
        committed: committed.length,
        seen: seen.size,
        duplicates,
        nodeCpuUs: (nodeCpu.user + nodeCpu.system) / counted,
        databaseCpuUs,
      };
    } finally {
      for (const store of [...nodes, reader]) await store.close();
    }
  });
}

export async function runEventWritersBench(serverUrl: string, seconds: number): Promise<EventWritersResult[]> {
  process.stdout.write(`\nEvent-writing transactions on PostgreSQL: ${CONNECTIONS} connections over two stores, ${seconds} s, with a marker reader\n`);
  const results: EventWritersResult[] = [];
  for (const scheme of ['advisory lock (before)', 'commit horizon'] as const) {
    process.stdout.write(`  ${scheme} …`);
    const result = await measureScheme(serverUrl, scheme, seconds);
    process.stdout.write(` ${Math.round(result.perSecond)} tx/s\n`);
    results.push(result);
  }
  const lines = [
    '| scheme | event transactions/s | p99 ms | committed | read by marker | read twice | CPU µs/tx: Node | CPU µs/tx: PostgreSQL |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.scheme} | ${Math.round(r.perSecond)} | ${r.p99Ms} | ${r.committed} | ${r.seen} | ${r.duplicates} | ${Math.round(r.nodeCpuUs)} | ${r.databaseCpuUs === undefined ? '–' : Math.round(r.databaseCpuUs)} |`,
    ),
  ];
  process.stdout.write(`\n${lines.join('\n')}\n`);
  const [lock, horizon] = results;
  process.stdout.write(`  commit horizon / advisory lock: ${(horizon!.perSecond / lock!.perSecond).toFixed(2)} ×; target ≥ 5,000/s: ${horizon!.perSecond >= 5000 ? 'met' : 'NOT met'}\n`);
  process.stdout.write(
    `  load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n`,
  );
  return results;
}
