// npm run bench: Coffer's HTTP throughput beside a bare node:http server measured in the same run, on loopback.
//   the agent's durable cleanup PATCH (a progress report that changes the job: one committed transaction each)
//     on SQLite with and without group commit, on PostgreSQL with one node and with two nodes;
//   a 100-item cleanup list page.
// Every figure is 50 connections (autocannon) for BENCH_SECONDS (default 10) after BENCH_WARMUP_SECONDS (default 3).
// PostgreSQL: BENCH_DATABASE_URL, or a private server started like CI does. Every process started is stopped.
// Then event-writing transactions on PostgreSQL from 50 connections over two stores, beside the advisory-lock scheme,
// and agent progress reports below HTTP as one statement, beside the same reports as transactions.
// Before them, the CLI's start-up time beside `node -e 0`. Then the server's CPU with 500 agents holding idle long
// polls; one server holding a fleet's long polls (20,000 agents: memory, wake-up latency, other requests meanwhile;
// bench/long-poll/fleet.ts); and the agent end to end.
// BENCH_ONLY=sqlite (or postgres, list (the list pages of both engines), long-poll (both long-poll figures), long-poll-idle, long-poll-20k, agent, …) keeps the scenarios whose name contains it; the bare baseline always runs.
import type { ServerProcess } from '../test/e2e/multi-node-server-process.js';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCofferNodes, type CofferNodes } from './http/coffer-nodes.js';
import { CLEANUPS, CONNECTIONS, listTarget, patchTargets } from './http/scenarios.js';
import { runLoad, type LoadResult, type LoadTarget } from './http/load.js';
import { startPrivatePostgres, type PrivatePostgres } from './http/private-postgres.js';
import { runAgentBench } from './agent/run.js';
import { runLongPollIdleBench } from './long-poll/idle-cpu.js';
import { runLongPollFleetBench } from './long-poll/fleet.js';
import { runCliStartupBench } from './cli/startup.js';
import { runEventWritersBench } from './events/event-writers.js';
import { runReportRoundTripsBench } from './events/report-round-trips.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const ONLY = (process.env.BENCH_ONLY ?? '').toLowerCase();
const wanted = (...names: string[]) => ONLY === '' || names.some((name) => name.toLowerCase().includes(ONLY));
const here = path.dirname(fileURLToPath(import.meta.url));

const cleanups: (() => Promise<void> | void)[] = [];
async function cleanUp(): Promise<void> {
  while (cleanups.length > 0) await cleanups.pop()!();
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stdout.write(`\n${signal}: stopping every server the benchmark started\n`);
    void cleanUp().finally(() => process.exit(130));
  });
}

interface Row {
  name: string;
  result: LoadResult;
}

async function measure(rows: Row[], name: string, targets: LoadTarget[], pids: number[]): Promise<void> {
  process.stdout.write(`  ${name} …`);
  const result = await runLoad(targets, SECONDS, WARMUP, pids);
  process.stdout.write(` ${Math.round(result.rps)} req/s\n`);
  rows.push({ name, result });
}

/**
 * The list page while other connections PATCH the listed cleanups (every PATCH changes a job, so pages keep little
 * from one request to the next): one row for the list's figures, one for the PATCHes'. The server CPU per request
 * is of both kinds together.
 */
async function measureListUnderWrites(rows: Row[], engine: string, nodes: CofferNodes): Promise<void> {
  const name = `cleanup list, 100 items, ${engine}, under PATCH`;
  process.stdout.write(`  ${name} …`);
  const half = CONNECTIONS / 2;
  const result = await runLoad([...listTarget(nodes, half), ...patchTargets({ ...nodes, urls: nodes.urls.slice(0, 1) }, half)], SECONDS, WARMUP, nodes.pids);
  const [list, patch] = result.rpsByTarget;
  process.stdout.write(` list ${Math.round(list!)} req/s, PATCH ${Math.round(patch!)} req/s\n`);
  rows.push({ name: `${name} (${half} connections; list req/s)`, result: { ...result, rps: list! } });
  rows.push({ name: `… and the PATCH beside it (${half} connections; PATCH req/s)`, result: { ...result, rps: patch! } });
}

async function withNodes(options: Parameters<typeof startCofferNodes>[0], body: (nodes: CofferNodes) => Promise<void>): Promise<void> {
  const nodes = await startCofferNodes(options);
  cleanups.push(() => nodes.stop());
  try {
    await body(nodes);
  } finally {
    cleanups.pop();
    await nodes.stop();
  }
}

function printTable(rows: Row[]): void {
  const bare = rows[0]!.result.rps;
  const lines = [
    `| scenario (${CONNECTIONS} connections, ${SECONDS} s) | req/s | p50 ms | p99 ms | vs bare | server CPU µs/req | non-2xx/errors |`,
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      ({ name, result }) =>
        `| ${name} | ${Math.round(result.rps)} | ${result.p50} | ${result.p99} | ${((100 * result.rps) / bare).toFixed(1)} % | ${result.serverCpuUsPerRequest?.toFixed(0) ?? '–'} | ${result.failures} |`,
    ),
  ];
  process.stdout.write(`\n${lines.join('\n')}\n`);
  process.stdout.write(
    `\n${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} at the end; node ${process.version}\n`,
  );
  const byName = (prefix: string) => rows.find((r) => r.name.startsWith(prefix))?.result.rps;
  const one = byName('cleanup PATCH, PostgreSQL, 1 node');
  const two = byName('cleanup PATCH, PostgreSQL, 2 nodes');
  const sqlite = byName('cleanup PATCH, SQLite, group commit');
  process.stdout.write('\nTargets:\n');
  if (sqlite) process.stdout.write(`  durable SQLite PATCH ≥ 50 % of bare: ${((100 * sqlite) / bare).toFixed(1)} % ${sqlite >= bare / 2 ? 'met' : 'NOT met'}\n`);
  if (one && two) process.stdout.write(`  two nodes ≥ 1.6 × one node: ${(two / one).toFixed(2)} × ${two >= 1.6 * one ? 'met' : 'NOT met'}\n`);
}

async function runHttpBench(): Promise<void> {
  const rows: Row[] = [];
  process.stdout.write(`Coffer HTTP benchmark: ${CONNECTIONS} connections, ${WARMUP} s warm-up + ${SECONDS} s per figure, loopback\n`);
  process.stdout.write(
    `load average before: ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (other work on the machine skews every figure)\n`,
  );

  const bare: ServerProcess = await spawnBare();
  cleanups.push(() => bare.stop());
  await measure(rows, 'bare node:http, fixed JSON', [{ url: bare.url, connections: CONNECTIONS, request: () => ({ method: 'GET', path: '/', headers: {} }) }], [bare.child.pid!]);
  cleanups.pop();
  await bare.stop();

  if (wanted('SQLite', 'list')) {
    await withNodes({ nodes: 1, cleanups: CLEANUPS }, async (nodes) => {
      if (wanted('SQLite')) await measure(rows, 'cleanup PATCH, SQLite, group commit', patchTargets(nodes), nodes.pids);
      await measure(rows, 'cleanup list, 100 items, SQLite', listTarget(nodes), nodes.pids);
      await measureListUnderWrites(rows, 'SQLite', nodes);
    });
  }
  if (wanted('SQLite')) {
    await withNodes({ nodes: 1, cleanups: CLEANUPS, groupCommit: false }, async (nodes) => {
      await measure(rows, 'cleanup PATCH, SQLite, one fsync per request', patchTargets(nodes), nodes.pids);
    });
  }
  if (!wanted('PostgreSQL', 'events', 'reports', 'list')) return printTable(rows);

  let postgres: PrivatePostgres | null = null;
  let postgresUrl = process.env.BENCH_DATABASE_URL;
  if (!postgresUrl) {
    process.stdout.write('  starting a private PostgreSQL (BENCH_DATABASE_URL is not set)\n');
    postgres = startPrivatePostgres();
    cleanups.push(() => postgres!.stop());
    postgresUrl = postgres.url;
  }
  if (wanted('PostgreSQL', 'list')) {
    await withNodes({ nodes: 1, cleanups: CLEANUPS, postgresUrl }, async (nodes) => {
      if (wanted('PostgreSQL')) await measure(rows, 'cleanup PATCH, PostgreSQL, 1 node', patchTargets(nodes), nodes.pids);
      await measure(rows, 'cleanup list, 100 items, PostgreSQL, 1 node', listTarget(nodes), nodes.pids);
      await measureListUnderWrites(rows, 'PostgreSQL', nodes);
    });
  }
  if (wanted('PostgreSQL')) {
    await withNodes({ nodes: 2, cleanups: CLEANUPS, postgresUrl }, async (nodes) => {
      await measure(rows, 'cleanup PATCH, PostgreSQL, 2 nodes', patchTargets(nodes), nodes.pids);
    });
  }
  printTable(rows);
  if (wanted('PostgreSQL', 'events')) await runEventWritersBench(postgresUrl, SECONDS);
  if (wanted('PostgreSQL', 'reports')) await runReportRoundTripsBench(postgresUrl, SECONDS);
  if (postgres) {
    cleanups.pop();
    postgres.stop();
  }
}

async function main(): Promise<void> {
  if (wanted('cli', 'start-up')) runCliStartupBench();
  await runHttpBench();
  if (wanted('long-poll-idle')) await runLongPollIdleBench();
  if (wanted('long-poll-20k')) await runLongPollFleetBench();
  if (wanted('agent')) await runAgentBench();
}

/** The baseline server, as its own process like Coffer's, so both share the machine with the load generator alike. */
function spawnBare(): Promise<ServerProcess> {
  return spawnServerScript(path.join(here, 'http/bare-server.ts'));
}

async function spawnServerScript(script: string): Promise<ServerProcess> {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`bare server exited with ${code}`)));
  });
  return {
    url,
    child,
    stderr: () => '',
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

try {
  await main();
} finally {
  await cleanUp();
}
