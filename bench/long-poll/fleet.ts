// One API node holding a fleet's long polls: BENCH_FLEET_AGENTS (default 20,000) agents, each polling its own event
// stream with its own token and marker (bench/long-poll/poller-process.ts, several processes so the load generator
// is not the bottleneck). Measured on one server process (SQLite), first with no poll held (the baseline), then with
// the fleet holding its polls:
//   - the server's resident memory, and its growth per held poll;
//   - wake-up latency: BENCH_FLEET_WAKES (default 200) backups started for random agents of the fleet, one at a
//     time, each timed from the moment its POST is sent to the moment that agent's poll hands it the start request;
//   - GET /v2/{project}/cleanups/{id} latency, sampled meanwhile (and over the same time in the baseline);
//   - a project-wide agent_activate, which wakes every held poll at once: time until every agent has it, and the
//     GET latency meanwhile.
// Every process has a file-descriptor limit: the server needs one per poll, so the fleet is capped to what
// `ulimit -n` allows (printed when it bites). See docs/benchmarks.md for how agents are set up (fleet-seed.ts).
// Usage: node --import tsx bench/long-poll/fleet.ts   (BENCH_ONLY=long-poll-20k npm run bench)
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { call, inParallel, registerAgentOver, spawnServer, type ServerProcess } from '../../test/e2e/multi-node-server-process.js';
import { openFilesLimit } from '../../src/server/connection-limits.js';
import { seedAgentCopies, type SeededAgent } from './fleet-seed.js';
import type { PollerMessage, PollerSetup, PollerStats } from './poller-process.js';

const PROJECT = '990003';
const AGENTS_PER_POLLER = 5_000;
const API_REGISTERED = 8;
const here = path.dirname(fileURLToPath(import.meta.url));
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

function residentMiB(pid: number): number {
  const line = fs
    .readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'))!;
  return Number(/(\d+)/.exec(line)![1]) / 1024;
}

const CLOCK_TICKS_PER_SECOND = 100;
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/**
 * The server's own figures from one /metrics scrape: held polls (coffer_event_long_polls), and its event-loop delay
 * since the scrape before (prom-client's default gauges, whose histogram each scrape resets). The delay tells the
 * server's own stalls from the machine's: a request waits that long for the loop before anything of it runs.
 */
async function serverFigures(url: string): Promise<{ held: number; loopP99Ms: number; loopMaxMs: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const gauge = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)`, 'm').exec(text)?.[1] ?? NaN);
  return { held: gauge('coffer_event_long_polls'), loopP99Ms: gauge('coffer_nodejs_eventloop_lag_p99_seconds') * 1000, loopMaxMs: gauge('coffer_nodejs_eventloop_lag_max_seconds') * 1000 };
}

/** GET one cleanup over and over (one request at a time, 20 ms apart) until `until` resolves; the latencies in ms. */
async function sampleCleanupReads(url: string, token: string, cleanupId: string, until: Promise<unknown>): Promise<{ latencies: number[]; failures: number }> {
  let done = false;
  void until.finally(() => (done = true));
  const latencies: number[] = [];
  let failures = 0;
  while (!done) {
    const started = performance.now();
    const response = await fetch(`${url}/v2/${PROJECT}/cleanups/${cleanupId}`, { headers: { 'x-auth-token': token } });
    await response.arrayBuffer();
    if (response.status === 200) latencies.push(performance.now() - started);
    else failures++;
    await sleep(20);
  }
  return { latencies, failures };
}

interface Poller {
  child: ChildProcess;
  ready: Promise<void>;
  stats(): Promise<PollerStats>;
}

function startPoller(setup: PollerSetup, onWoken: (woken: { agentId: string; at: number }) => void): Poller {
  const child = fork(path.join(here, 'poller-process.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const statsWaiters: ((stats: PollerStats) => void)[] = [];
  child.on('message', (message: PollerMessage) => {
    if ('ready' in message) markReady();
    else if ('woken' in message) onWoken(message.woken);
    else if ('stats' in message) statsWaiters.shift()?.(message.stats);
  });
  child.send(setup);
  return {
    child,
    ready,
    stats: () =>
      new Promise((resolve) => {
        statsWaiters.push(resolve);
        child.send('stats');
      }),
  };
}

async function allStats(pollers: Poller[]): Promise<PollerStats> {
  const each = await Promise.all(pollers.map((p) => p.stats()));
  return each.reduce((sum, s) => ({
    open: sum.open + s.open,
    answered: sum.answered + s.answered,
    failures: sum.failures + s.failures,
    lastFailure: s.lastFailure || sum.lastFailure,
    activated: sum.activated + s.activated,
    lastActivatedAt: Math.max(sum.lastActivatedAt, s.lastActivatedAt),
  }));
}

async function createConfiguration(url: string, token: string, agentId: string): Promise<string> {
  const created = await call(url, 'POST', `/v2/${PROJECT}/configurations`, token, {
    agent_id: agentId,
    name: 'fleet bench',
    enabled: true,
    schedule: { recurrence: ['RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=2;BYMINUTE=0'], time_zone: 'UTC' },
    retention: { days: 30 },
    inclusions: [{ type: 'folder', path: '/srv/' }],
    exclusions: [],
    notifications: [{ type: 'email', destination: 'ops@example.com', on_success: false, on_failure: true }],
  });
  if (created.status !== 201) throw new Error(`configuration: ${created.status} ${created.text}`);
  return created.body.id as string;
}

export async function runLongPollFleetBench(wanted = Number(process.env.BENCH_FLEET_AGENTS ?? 20_000), wakes = Number(process.env.BENCH_FLEET_WAKES ?? 200)): Promise<void> {
  const fdLimit = openFilesLimit() ?? Infinity;
  // The server needs a descriptor per poll and some for itself (database, listening socket, workers, …).
  const agents = Math.min(wanted, fdLimit - 300);
  process.stdout.write(`\nLong polls at fleet scale: ${agents} agents each holding GET …/agents/{id}/events with its own token and marker, one server (SQLite)\n`);
  if (agents < wanted) process.stdout.write(`  (${wanted} asked for; open files are limited to ${fdLimit} per process here (ulimit -n), so ${agents} polls fit one server process)\n`);
  process.stdout.write(`  load average before: ${loadAverage()}\n`);

  const adminToken = `bench-${randomBytes(8).toString('hex')}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coffer-bench-fleet-'));
  const env = {
    COFFER_DATA_DIR: dataDir,
    COFFER_ADMIN_TOKEN: adminToken,
    DATABASE_URL: '',
    COFFER_MAX_CONNECTIONS: String(agents + 1000),
    // For profiling the server under the fleet, e.g. BENCH_FLEET_SERVER_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof".
    ...(process.env.BENCH_FLEET_SERVER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_FLEET_SERVER_NODE_OPTIONS } : {}),
  };
  let server: ServerProcess | undefined;
  const pollers: Poller[] = [];
  try {
    // Setup: a few agents through the API, the rest copied from the first (fleet-seed.ts), then the server again.
    let started = performance.now();
    server = await spawnServer(env);
    const registered = await inParallel(Array.from({ length: API_REGISTERED }), 4, () => registerAgentOver(server!.url, PROJECT, adminToken));
    await server.stop();
    const seeded: SeededAgent[] = [...registered, ...(await seedAgentCopies(dataDir, registered[0]!.id, agents - API_REGISTERED))];
    server = await spawnServer(env);
    const url = server.url;
    const pid = server.child.pid!;
    const probeCleanup = await call(url, 'POST', `/v2/${PROJECT}/cleanups`, adminToken, { agent_id: registered[0]!.id, state: 'start_requested' });
    if (probeCleanup.status !== 201) throw new Error(`cleanup: ${probeCleanup.text}`);
    const targets = Array.from({ length: wakes }, () => seeded[Math.floor(Math.random() * seeded.length)]!).filter((a, i, all) => all.indexOf(a) === i);
    const configurations = new Map(await inParallel(targets, 8, async (agent) => [agent.id, await createConfiguration(url, adminToken, agent.id)] as const));
    process.stdout.write(
      `  setup: ${API_REGISTERED} agents registered and logged in through the API, ${agents - API_REGISTERED} copied into the database, ${targets.length} configurations: ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
    );

    // Baseline: the same server, no poll held.
    await sleep(2000);
    const baselineRss = residentMiB(pid);
    const baselineReads = await sampleCleanupReads(url, adminToken, probeCleanup.body.id, sleep(10_000));

    // The fleet starts polling, half of it first: the memory at half and at full fleet gives the cost per poll
    // without the one-off costs of the first requests (code compiled, caches and pools filled).
    started = performance.now();
    const woken = new Map<string, number>();
    const shares: SeededAgent[][] = [];
    for (let i = 0; i * AGENTS_PER_POLLER < seeded.length; i++) shares.push(seeded.slice(i * AGENTS_PER_POLLER, (i + 1) * AGENTS_PER_POLLER));
    const startShares = async (from: number, to: number, expected: number) => {
      for (let i = from; i < to; i++) pollers.push(startPoller({ agents: shares[i]!, url, project: PROJECT, localAddress: `127.0.0.${i + 2}` }, ({ agentId, at }) => woken.set(agentId, at)));
      const deadline = Date.now() + 300_000;
      let ready = false;
      void Promise.all(pollers.map((p) => p.ready)).then(() => (ready = true));
      // Progress from the pollers, not from the server's /metrics: a scrape reads every agent's presence from the
      // database, which at this scale is itself a load (see the one scrape timed below).
      for (;;) {
        await sleep(5000);
        const stats = await allStats(pollers);
        process.stdout.write(
          `    ${((performance.now() - started) / 1000).toFixed(0)} s: ${stats.open} polls waiting for an answer, ${stats.answered} answered, ${stats.failures} failed, server RSS ${residentMiB(pid).toFixed(0)} MiB\n`,
        );
        if ((ready && stats.open >= expected * 0.995) || Date.now() > deadline) break;
      }
      await sleep(3000);
      return { held: (await allStats(pollers)).open, rss: residentMiB(pid) };
    };
    const halfShares = Math.max(1, Math.floor(shares.length / 2));
    const half = halfShares < shares.length ? await startShares(0, halfShares, shares.slice(0, halfShares).flat().length) : undefined;
    const full = await startShares(half ? halfShares : 0, shares.length, agents);
    const settleSeconds = (performance.now() - started) / 1000;
    const held = full.held;
    const heldRss = full.rss;
    const scrapeStarted = performance.now();
    const heldByServer = (await serverFigures(url)).held;
    const scrapeMs = performance.now() - scrapeStarted;
    await sleep(3000);
    const cpuBefore = cpuSeconds(pid);

    // Under the fleet: wakes one at a time (each waits for its delivery, or 5 s), GET probes meanwhile.
    const latencies: number[] = [];
    const afterResponse: number[] = [];
    const posts: number[] = [];
    let missed = 0;
    const measuring = (async () => {
      for (const agent of targets) {
        const sentAt = now();
        const start = await call(url, 'POST', `/v2/${PROJECT}/backups`, adminToken, { configuration_id: configurations.get(agent.id), state: 'start_requested' });
        const answeredAt = now();
        posts.push(answeredAt - sentAt);
        if (start.status !== 201) throw new Error(`backup start: ${start.status} ${start.text}`);
        const deadline = Date.now() + 5000;
        while (!woken.has(agent.id) && Date.now() < deadline) await sleep(2);
        const at = woken.get(agent.id);
        if (at === undefined) missed++;
        else {
          latencies.push(at - sentAt);
          afterResponse.push(at - answeredAt);
        }
        await sleep(50 + Math.random() * 50);
      }
    })();
    const windowStarted = performance.now();
    const underLoad = await sampleCleanupReads(url, adminToken, probeCleanup.body.id, measuring);
    await measuring;
    const windowSeconds = (performance.now() - windowStarted) / 1000;
    const loop = await serverFigures(url);
    const cpuPercent = (100 * (cpuSeconds(pid) - cpuBefore)) / windowSeconds;
    const heldAfter = (await allStats(pollers)).open;
    const extraWakes = [...woken.keys()].filter((id) => !configurations.has(id)).length;

    // A project-wide event (agent_activate for the project, mode idle so the agents' heartbeat rate stays as it
    // was) wakes every held poll at once: how long until every agent has it, and what a GET costs meanwhile.
    await sleep(3000);
    await serverFigures(url);
    const activateSent = now();
    const activate = await call(url, 'POST', `/v2/${PROJECT}/events`, adminToken, { event: 'agent_activate', mode: 'idle' });
    if (activate.status !== 202) throw new Error(`agent_activate: ${activate.status} ${activate.text}`);
    const allActivated = (async () => {
      const deadline = Date.now() + 120_000;
      while ((await allStats(pollers)).activated < agents && Date.now() < deadline) await sleep(100);
    })();
    const duringActivation = await sampleCleanupReads(url, adminToken, probeCleanup.body.id, allActivated);
    const activationLoop = await serverFigures(url);
    const stats = await allStats(pollers);
    const activationSeconds = (stats.lastActivatedAt - activateSent) / 1000;

    const perPollKiB = ((heldRss - baselineRss) * 1024) / Math.max(1, held);
    const slopeKiB = half ? ((full.rss - half.rss) * 1024) / Math.max(1, full.held - half.held) : NaN;
    const readRow = (name: string, reads: { latencies: number[]; failures: number }) =>
      `| ${name} | ${reads.latencies.length} | ${percentile(reads.latencies, 0.5).toFixed(1)} | ${percentile(reads.latencies, 0.99).toFixed(1)} | ${Math.max(...reads.latencies).toFixed(1)} | ${reads.failures} |`;
    process.stdout.write(
      [
        `  fleet polling: ${held} polls held ${settleSeconds.toFixed(1)} s after the first agent started (${heldAfter} at the end); the server's own count (coffer_event_long_polls): ${heldByServer}, a /metrics scrape took ${scrapeMs.toFixed(0)} ms; ${stats.answered} poll answers in all, ${stats.failures} failed polls${stats.lastFailure ? ` (last: ${stats.lastFailure})` : ''}`,
        '',
        '| server memory (RSS) | MiB |',
        '|---|---:|',
        `| no poll held (baseline) | ${baselineRss.toFixed(1)} |`,
        ...(half ? [`| ${half.held} polls held | ${half.rss.toFixed(1)} |`] : []),
        `| ${held} polls held | ${heldRss.toFixed(1)} |`,
        `| growth per held poll, from the baseline | ${perPollKiB.toFixed(1)} KiB |`,
        ...(half ? [`| growth per held poll, from half the fleet to all of it | ${slopeKiB.toFixed(1)} KiB |`] : []),
        '',
        `| wake-up: backup start request → that agent's poll answers (${latencies.length} wakes) | p50 ms | p99 ms | max ms |`,
        '|---|---:|---:|---:|',
        `| from the POST sent | ${percentile(latencies, 0.5).toFixed(1)} | ${percentile(latencies, 0.99).toFixed(1)} | ${Math.max(...latencies).toFixed(1)} |`,
        `| from the POST's 201 | ${percentile(afterResponse, 0.5).toFixed(1)} | ${percentile(afterResponse, 0.99).toFixed(1)} | ${Math.max(...afterResponse).toFixed(1)} |`,
        `| the POST itself (sent → 201) | ${percentile(posts, 0.5).toFixed(1)} | ${percentile(posts, 0.99).toFixed(1)} | ${Math.max(...posts).toFixed(1)} |`,
        '',
        '| GET /v2/{project}/cleanups/{id}, one at a time | requests | p50 ms | p99 ms | max ms | failures |',
        '|---|---:|---:|---:|---:|---:|',
        readRow('no poll held (baseline, 10 s)', baselineReads),
        readRow(`${held} polls held, wakes going on (${windowSeconds.toFixed(0)} s)`, underLoad),
        '',
        `  server event-loop delay during the wake window: p99 ${loop.loopP99Ms.toFixed(0)} ms, max ${loop.loopMaxMs.toFixed(0)} ms`,
        '',
        `  project-wide agent_activate: ${stats.activated} of ${agents} agents had it ${activationSeconds.toFixed(1)} s after the POST was sent; server event-loop delay meanwhile p99 ${activationLoop.loopP99Ms.toFixed(0)} ms, max ${activationLoop.loopMaxMs.toFixed(0)} ms`,
        '| GET /v2/{project}/cleanups/{id} meanwhile | requests | p50 ms | p99 ms | max ms | failures |',
        '|---|---:|---:|---:|---:|---:|',
        readRow(`every poll of the project woken`, duringActivation),
        `  server CPU during the wake window: ${cpuPercent.toFixed(0)} % of one core; wakes not delivered within 5 s: ${missed}; start requests delivered to an agent not woken: ${extraWakes}`,
        `  targets: wake p99 < 100 ms: ${percentile(latencies, 0.99) < 100 && missed === 0 ? 'met' : 'NOT met'}; GET p99 < 50 ms: ${percentile(underLoad.latencies, 0.99) < 50 ? 'met' : 'NOT met'}`,
        `  ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load average at the end ${loadAverage()}; node ${process.version}`,
        '',
      ].join('\n'),
    );
  } finally {
    for (const poller of pollers) poller.child.kill('SIGKILL');
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  await runLongPollFleetBench();
}
