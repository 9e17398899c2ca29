// Runs the whole-tree checks (CHECKS: the lint) unless a filter is given, then every test file with node's test
// runner (on the pinned Node 24, see pinned-node.mjs): unit tests beside the code (src/**/*.test.ts) and whole-app
// tests (test/**/*.test.ts) on SQLite; then, when a PostgreSQL server is reachable (TEST_DATABASE_URL), the store and
// request suites again on PostgreSQL.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pinnedNodePath, runsOnSupportedNode } from './pinned-node.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

function findTests(dir) {
  const out = [];
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findTests(full));
    else if (entry.name.endsWith('.test.ts')) out.push(path.relative(root, full));
  }
  return out.sort();
}

const filter = process.argv.slice(2);
const pick = (files) => (filter.length === 0 ? files : files.filter((f) => filter.some((needle) => f.includes(needle))));
const all = pick([...findTests(path.join(root, 'src')), ...findTests(path.join(root, 'test'))]);
// Suites that talk to the store: they run once per engine.
const engineSuites = all.filter((f) => f.startsWith('test/api/') || f.startsWith('src/store/') || f.startsWith('test/store/'));

// The tests run on the pinned Node 24 even when npm (and so this script) was started by an older node.
const node = runsOnSupportedNode() ? process.execPath : pinnedNodePath(root);
if (!node) {
  process.stdout.write(`Node 24 is not installed in node_modules (this is ${process.version}): run "npm ci" first.\n`);
  process.exit(1);
}
const nodeVersion = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();

// No single test may hang the run: each gets at most this long (the slowest e2e tests take about a minute).
const TEST_TIMEOUT_MS = 5 * 60_000;

function run(files, env, label, concurrency = 2) {
  if (files.length === 0) return 0;
  process.stdout.write(`\n=== ${label}: ${files.length} test files on Node ${nodeVersion} ===\n`);
  const result = spawnSync(node, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, `--test-timeout=${TEST_TIMEOUT_MS}`, ...files], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  return result.status ?? 1;
}

/** Connects once so that a PostgreSQL run fails up front, with the reason, when the server is not there. */
async function postgresVersion(url) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    const { rows } = await client.query('SHOW server_version');
    return rows[0].server_version;
  } finally {
    await client.end().catch(() => undefined);
  }
}

// npm scripts that judge the whole tree; they run before the tests of a whole run (not of a filtered one).
const CHECKS = ['lint', 'format:check'];

/** Runs the checks one after another, each to the end; true when one failed. */
function runChecks() {
  let anyFailed = false;
  for (const script of CHECKS) {
    const began = Date.now();
    process.stdout.write(`\n=== npm run ${script} ===\n`);
    const result = spawnSync('npm', ['run', '--silent', script], { cwd: root, stdio: 'inherit' });
    const ok = result.status === 0;
    process.stdout.write(`npm run ${script}: ${ok ? 'passed' : 'FAILED'} in ${Math.round((Date.now() - began) / 1000)} s\n`);
    anyFailed ||= !ok;
  }
  return anyFailed;
}

const requirePostgres = process.env.COFFER_REQUIRE_POSTGRES === '1';
const started = Date.now();
let failed = filter.length === 0 && runChecks() ? 1 : 0;
failed = run(all, { COFFER_TEST_ENGINE: 'sqlite' }, 'SQLite') || failed;
if (process.env.TEST_DATABASE_URL) {
  let version;
  try {
    version = await postgresVersion(process.env.TEST_DATABASE_URL);
  } catch (error) {
    process.stdout.write(`\nPostgreSQL at TEST_DATABASE_URL is not reachable: ${error.message}\n`);
    failed = 1;
  }
  if (version) {
    // Test files run two at a time here too: each has its own database, and the commit horizon of list readers
    // counts only the transactions of their own database (src/store/commit-order.ts).
    failed = run(engineSuites, { COFFER_TEST_ENGINE: 'postgres' }, `PostgreSQL ${version}`) || failed;
    if (requirePostgres && engineSuites.length === 0 && filter.length === 0) {
      process.stdout.write('\nNo test file ran on PostgreSQL.\n');
      failed = 1;
    }
  }
} else if (requirePostgres) {
  process.stdout.write('\nCOFFER_REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set: the PostgreSQL run cannot happen.\n');
  failed = 1;
} else {
  process.stdout.write('\nTEST_DATABASE_URL is not set: the PostgreSQL run is skipped (.ci/run starts a server and sets it).\n');
}
process.stdout.write(`\nAll test runs took ${Math.round((Date.now() - started) / 1000)} s: ${failed ? 'FAILED' : 'passed'}.\n`);
process.exit(failed ? 1 : 0);
