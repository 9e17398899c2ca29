import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PROJECT } from '../helpers/fixtures.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../helpers/test-server.js';
import { makeHome, REPO_ROOT, runCoffer } from '../cli/run-coffer.js';
import { startDueVerifications } from '../../src/resources/verifications/verification-scheduler.js';
import { flipByte } from '../helpers/indexing.js';

/*
 * A verification schedule with the real agent: a real vault on the server's storage, one byte of a data pack flipped
 * on purpose, then the schedule's runs one after another (the scheduler is driven with the run times as its clock).
 * Each run reads one quarter of the packs; the run whose quarter holds the damaged pack fails and names it, the others
 * pass, and within four runs every pack has been read once.
 */

const PASSWORD = 'ops-password-123';
const SUBSETS = 4;
let t: TestServer;
let home: ReturnType<typeof makeHome>;
let agent: ChildProcess | undefined;
const configPath = () => path.join(home.home, 'agent', 'agent.json');
const coffer = (args: string[]) => runCoffer(args, { home: home.home, env: { COFFER_PASSWORD: PASSWORD }, timeoutMs: 90_000 });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : [path.join(dir, entry.name)]));
}

async function runEnded(id: string): Promise<any> {
  for (let i = 0; i < 240; i++) {
    const run = await t.request('GET', `/v2/${PROJECT}/verifications/${id}`);
    if (run.body.state === 'passed' || run.body.state === 'failed') return run.body;
    await sleep(250);
  }
  throw new Error(`verification run ${id} did not end`);
}

before(async () => {
  t = await startTestServer();
  home = makeHome();
  const tree = path.join(home.home, 'www');
  fs.mkdirSync(tree, { recursive: true });
  for (let i = 0; i < 6; i++) fs.writeFileSync(path.join(tree, `part-${i}.bin`), randomBytes(1024 * 1024));
  const user = await t.request('POST', '/admin/users', { token: ADMIN_TOKEN, body: { username: 'ops', password: PASSWORD, project_id: PROJECT, roles: ['cloudbackup:admin'] } });
  assert.equal(user.status, 201, user.text);
});

after(async () => {
  agent?.kill('SIGKILL');
  await sleep(200);
  await t?.close();
  home?.remove();
});

describe('verification schedule with the real agent', { timeout: 240_000 }, () => {
  test('finds a flipped byte within N runs, reports it in the activities and raises an alert', async () => {
    assert.equal((await coffer(['login', '--api', t.url, '--user', 'ops'])).code, 0);
    const register = await coffer(['agent', 'register', '--api', t.url, '--user', 'ops', '--name', 'web-1', '--config', configPath()]);
    assert.equal(register.code, 0, register.stderr + register.stdout);
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home.home, XDG_CONFIG_HOME: path.join(home.home, 'config') };
    delete env.NODE_TEST_CONTEXT;
    agent = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(REPO_ROOT, 'src', 'main.ts'), 'agent', 'run', '--config', configPath()], {
      cwd: home.home,
      env,
      stdio: 'ignore',
    });
    let agentId = '';
    for (let i = 0; i < 60 && !agentId; i++) {
      const listed = JSON.parse((await coffer(['agents', '--json'])).stdout).agents.find((a: any) => a.name === 'web-1' && a.status?.online);
      if (listed) agentId = listed.id;
      else await sleep(500);
    }
    assert.ok(agentId, 'the agent comes online');
    assert.equal((await coffer(['configs', 'create', '--agent', 'web-1', '--name', 'www', '--include', path.join(home.home, 'www'), '--notify-email', 'ops@example.com'])).code, 0);
    const backup = await coffer(['backup', 'start', 'www', '--watch']);
    assert.equal(backup.code, 0, backup.stderr + backup.stdout);

    // The schedule is set with the command line: a bad count is refused before or by the server, and nothing changes.
    const zero = await coffer(['verification', 'set', 'web-1', '--subsets', '0']);
    assert.equal(zero.code, 2, zero.stderr);
    const tooMany = await coffer(['verification', 'set', 'web-1', '--schedule', 'daily 03:00', '--tz', 'UTC', '--subsets', '300']);
    assert.equal(tooMany.code, 1, tooMany.stderr);
    assert.match(tooMany.stderr, /read_data_subsets must be at most 256/);
    const set = await coffer(['verification', 'set', 'web-1', '--schedule', 'daily 03:00', '--tz', 'UTC', '--subsets', String(SUBSETS)]);
    assert.equal(set.code, 0, set.stderr + set.stdout);
    assert.match(set.stdout, /schedule:\s+daily 03:00 UTC/);
    assert.match(set.stdout, new RegExp(`each run reads:\\s+1/${SUBSETS} of the packs \\(all of them within ${SUBSETS} runs\\)`));
    const settings = await t.request('GET', `/v2/${PROJECT}/agents/${agentId}/verification`);
    assert.deepEqual(settings.body.schedule, { recurrence: ['RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=3;BYMINUTE=0'], time_zone: 'UTC' });
    assert.equal(settings.body.enabled, true);
    assert.equal(settings.body.next_read_data_subset, `1/${SUBSETS}`);

    // The vault's packs are files named by their hash on the server's storage; damage the largest (file data).
    const vaultId = (await t.request('GET', `/v2/${PROJECT}/agents/${agentId}`)).body.vault?.id ?? JSON.parse(fs.readFileSync(configPath(), 'utf8')).vaultId;
    const packs = filesUnder(t.database.dataDir).filter((file) => /[/\\]data[/\\]/.test(file) && /^[0-9a-f]{64}$/.test(path.basename(file)));
    assert.ok(packs.length >= 2, `packs found: ${packs.length} (vault ${vaultId})`);
    const damaged = packs.reduce((a, b) => (fs.statSync(a).size >= fs.statSync(b).size ? a : b));
    const packId = path.basename(damaged);
    const bytes = fs.readFileSync(damaged);
    flipByte(bytes, Math.floor(bytes.length / 2), 0x01);
    fs.writeFileSync(damaged, bytes);
    const damagedSubset = (Number.parseInt(packId.slice(0, 2), 16) % SUBSETS) + 1;

    const runs: any[] = [];
    for (let i = 0; i < SUBSETS; i++) {
      const due = (await t.request('GET', `/v2/${PROJECT}/agents/${agentId}/verification`)).body.next_run_time;
      assert.ok(due, 'a next run time');
      assert.equal(await startDueVerifications(t.server.ctx, new Date(due)), 1, `run ${i + 1} starts at its time`);
      const started = (await t.request('GET', `/v2/${PROJECT}/agents/${agentId}/activities?type=verification&limit=1`)).body.activities[0];
      runs.push(await runEnded(started.id));
    }
    assert.deepEqual(
      runs.map((run) => run.read_data_subset),
      ['1/4', '2/4', '3/4', '4/4'],
    );
    assert.deepEqual(
      runs.map((run) => run.state),
      runs.map((_run, i) => (i + 1 === damagedSubset ? 'failed' : 'passed')),
      `the damaged pack ${packId} is in subset ${damagedSubset}: ${JSON.stringify(runs.map((r) => r.errors))}`,
    );
    const failed = runs[damagedSubset - 1];
    assert.ok(
      failed.errors.some((e: string) => e.includes(packId)),
      JSON.stringify(failed.errors),
    );
    // Every pack was read exactly once over the N runs.
    assert.equal(
      runs.reduce((sum, run) => sum + run.packs_read, 0),
      runs[0].packs,
    );

    const activities = (await t.request('GET', `/v2/${PROJECT}/activities?type=verification`)).body.activities;
    assert.equal(activities.length, SUBSETS);
    assert.deepEqual(activities.find((a: any) => a.id === failed.id).links, [{ href: `${t.url}/v2/${PROJECT}/verifications/${failed.id}`, rel: 'verification' }]);
    const events = (await t.request('GET', `/v2/${PROJECT}/agents/${agentId}/events?sort_dir=asc&limit=1000`)).body.events.map((e: any) => e.event);
    assert.equal(events.filter((name: string) => name === 'verification_failed').length, 1);
    assert.equal(events.filter((name: string) => name === 'verification_passed').length, SUBSETS - 1);

    const alerts = await t.server.ctx.store.db.selectFrom('deliveries').select(['event_type', 'recipient', 'subject_id']).where('event_type', '=', 'verification.failed').execute();
    assert.deepEqual(alerts, [{ event_type: 'verification.failed', recipient: 'ops@example.com', subject_id: failed.id }]);

    // The command line shows the schedule and the runs, the failed one with the damaged pack.
    const shown = await coffer(['verification', 'web-1']);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /next subset:\s+1\/4/);
    const failedRow = shown.stdout.split('\n').find((line) => line.startsWith(failed.id.slice(0, 8)));
    assert.ok(failedRow, shown.stdout);
    assert.match(failedRow!, new RegExp(`failed\\s+${damagedSubset}/${SUBSETS}\\s+schedule`));
    assert.match(failedRow!, new RegExp(packId.slice(0, 8)));
    const listed = JSON.parse((await coffer(['verification', 'runs', 'web-1', '--json'])).stdout).verification_runs;
    assert.deepEqual(
      listed.map((run: any) => run.id),
      [...runs].reverse().map((run) => run.id),
    );
    const result = await coffer(['verification', 'result', failed.id]);
    assert.match(result.stdout, new RegExp(`errors:\\s+\\d+\\n  pack ${packId}: content does not match its name \\(damaged\\)`));

    // A run now that reads every pack (N = 1) fails, and its watch exits 1 naming the pack; cleared, no schedule is left.
    assert.equal((await coffer(['verification', 'set', 'web-1', '--subsets', '1'])).code, 0);
    const now = await coffer(['verification', 'run', 'web-1', '--watch']);
    assert.equal(now.code, 1, now.stderr + now.stdout);
    assert.match(now.stdout, /Started verification run .* subset 1\/1/);
    assert.match(now.stdout, new RegExp(`state:\\s+failed[\\s\\S]*\\n  pack ${packId}: content does not match`));
    const cleared = await coffer(['verification', 'clear', 'web-1']);
    assert.equal(cleared.code, 0, cleared.stderr);
    const clearedSettings = (await t.request('GET', `/v2/${PROJECT}/agents/${agentId}/verification`)).body;
    assert.deepEqual([clearedSettings.enabled, clearedSettings.schedule, clearedSettings.next_run_time], [false, null, null]);
  });
});
