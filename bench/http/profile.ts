// `npm run bench:profile -- patch|list [sqlite|postgres]`: one Coffer server under the benchmark's load with V8's CPU
// profiler on (NODE_OPTIONS=--cpu-prof), then its self time by file and by function. The .cpuprofile is kept (path
// printed) for Chrome DevTools' flame graph. BENCH_SECONDS (default 5), BENCH_WARMUP_SECONDS (default 2),
// BENCH_DATABASE_URL for postgres (required there).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCofferNodes } from './coffer-nodes.js';
import { printProfileSummary, summariseCpuProfile } from './cpu-profile-summary.js';
import { runLoad, type LoadResult } from './load.js';
import { CLEANUPS, listTarget, patchTargets } from './scenarios.js';

const scenario = process.argv[2] ?? 'patch';
const engine = process.argv[3] ?? 'sqlite';
if (!['patch', 'list'].includes(scenario) || !['sqlite', 'postgres'].includes(engine)) {
  process.stderr.write('usage: bench/http/profile.ts patch|list [sqlite|postgres]\n');
  process.exit(2);
}
const postgresUrl = engine === 'postgres' ? process.env.BENCH_DATABASE_URL : undefined;
if (engine === 'postgres' && !postgresUrl) {
  process.stderr.write('BENCH_DATABASE_URL is required for postgres\n');
  process.exit(2);
}
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const warmup = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coffer-cpu-prof-'));

process.stdout.write(
  `profiling ${scenario} on ${engine}, ${warmup} s warm-up + ${seconds} s; load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}\n`,
);
const nodes = await startCofferNodes({ nodes: 1, cleanups: CLEANUPS, postgresUrl, env: { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } });
let result: LoadResult;
try {
  result = await runLoad(scenario === 'patch' ? patchTargets(nodes) : listTarget(nodes), seconds, warmup, nodes.pids);
  process.stdout.write(
    `${Math.round(result.rps)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, ${result.failures} non-2xx/errors, server CPU ${result.serverCpuUsPerRequest?.toFixed(0)} µs per request (profiler on)\n`,
  );
} finally {
  await nodes.stop();
}
const files = fs.readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'));
if (files.length === 0) throw new Error(`no profile written in ${profileDir}`);
// The server is the process whose profile is largest (the CLI wrapper, if any, writes a small one).
const largest = files.map((f) => path.join(profileDir, f)).sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0]!;
// The load window ends when the server is told to stop; its shutdown takes a fraction of a second.
const summary = summariseCpuProfile(largest, seconds + 0.3);
printProfileSummary(summary, Number(process.env.PROFILE_TOP ?? 30));
process.stdout.write(`\n${Math.round(result.rps)} req/s during the profile (the profiler itself costs some); profile: ${largest}\n`);
