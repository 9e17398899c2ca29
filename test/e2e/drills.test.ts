import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { VaultFiles } from '../../src/resources/vaults/vault-files.js';
import { makeHome, REPO_ROOT, runCoffer } from '../cli/run-coffer.js';
import { PROJECT } from '../helpers/fixtures.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../helpers/test-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

/*
 * Restore drills with the real agent (`coffer agent run`) against a real server: the agent backs up a tree, and
 * drills restore it into a scratch folder and run a check there as a task, under the host's task allow-list. A
 * passing check, a failing one (exit 1) and a backup corrupted in the vault, each seen as a drill run, on the
 * agent's event stream, at a webhook and in the metric; the scratch folder is gone after every run.
 */

const PASSWORD = 'ops-password-123';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TERMINAL = ['passed', 'failed'];
let t: TestServer;
let hooks: WebhookReceiver;
let home: ReturnType<typeof makeHome>;
let agent: ChildProcess | undefined;
let treeDir: string;
let scratchParent: string;
let agentId = '';
let configurationId = '';
let backupId = '';
const configPath = () => path.join(home.home, 'agent', 'agent.json');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const api = (method: string, urlPath: string, body?: unknown) => t.request(method, `/v2/${PROJECT}${urlPath}`, { token: ADMIN_TOKEN, body });

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(150);
  }
}

async function runDrill(drillId: string): Promise<any> {
  const started = await api('POST', `/drills/${drillId}/runs`);
  assert.equal(started.status, 201, started.text);
  return until(`drill run ${started.body.id}`, async () => {
    const run = await api('GET', `/drill-runs/${started.body.id}`);
    return TERMINAL.includes(run.body.state) ? run.body : undefined;
  });
}

async function createDrill(name: string, command: string, target: string): Promise<any> {
  const created = await api('POST', '/drills', { name, configuration_id: configurationId, target_path: target, command, timeout_seconds: 120 });
  assert.equal(created.status, 201, created.text);
  return created.body;
}

async function lastSuccess(drillId: string): Promise<number> {
  const text = (await t.request('GET', '/metrics', { token: null })).text;
  const line = text.split('\n').find((l) => l.startsWith('coffer_drill_last_success_timestamp_seconds{') && l.includes(`drill_id="${drillId}"`));
  assert.ok(line, `metric line for drill ${drillId}`);
  return Number(line.split(' ').at(-1));
}

async function streamed(name: string, runId: string): Promise<any> {
  const events = await api('GET', `/agents/${agentId}/events?limit=1000`);
  return events.body.events.find((e: any) => e.event === name && e.drill_run?.id === runId);
}

const webhookOf = (runId: string) => hooks.requests.map((r) => JSON.parse(r.body)).find((b) => (b.data ?? b).drill_run?.id === runId);

describe('restore drills with the real agent', { timeout: 240_000 }, () => {
  before(async () => {
    t = await startTestServer({ drillTargetCheckMs: 15_000, metricsCacheMs: 0 });
    hooks = await startWebhookReceiver();
    home = makeHome();
    treeDir = path.join(home.home, 'www');
    fs.mkdirSync(path.join(treeDir, 'img'), { recursive: true });
    fs.writeFileSync(path.join(treeDir, 'index.html'), '<h1>hello</h1>\n'.repeat(100));
    fs.writeFileSync(path.join(treeDir, 'img', 'photo.bin'), randomBytes(512 * 1024));
    // Tasks run as "nobody": the scratch folder's parents must let that account through.
    scratchParent = fs.mkdtempSync(path.join(os.tmpdir(), 'coffer-drills-'));
    fs.chmodSync(scratchParent, 0o755);
    const user = await t.request('POST', '/admin/users', { token: ADMIN_TOKEN, body: { username: 'ops', password: PASSWORD, project_id: PROJECT, roles: ['cloudbackup:admin'] } });
    assert.equal(user.status, 201, user.text);
    const hook = await api('POST', '/webhooks', { url: hooks.url, event_types: ['drill.passed', 'drill.failed'], secret: 'a-secret-of-24-bytes-ok!' });
    assert.equal(hook.status, 201, hook.text);

    // The host's owner allows tasks, and only the `test` command: drills work within that.
    const register = await runCoffer(['agent', 'register', '--api', t.url, '--user', 'ops', '--name', 'web-1', '--config', configPath(), '--allow-tasks', '--task-allow', 'test'], {
      home: home.home,
      env: { COFFER_PASSWORD: PASSWORD },
      timeoutMs: 60_000,
    });
    assert.equal(register.code, 0, register.stderr + register.stdout);
    agentId = JSON.parse(fs.readFileSync(configPath(), 'utf8')).agentId;
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home.home, XDG_CONFIG_HOME: path.join(home.home, 'config') };
    delete env.NODE_TEST_CONTEXT;
    agent = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(REPO_ROOT, 'src', 'main.ts'), 'agent', 'run', '--config', configPath()], {
      cwd: home.home,
      env,
      stdio: 'ignore',
    });
    await until('the agent online', async () => ((await api('GET', `/agents/${agentId}/status`)).body?.online ? true : undefined), 30_000);

    const configuration = await api('POST', '/configurations', {
      agent_id: agentId,
      name: 'www',
      enabled: true,
      schedule: null,
      retention: { days: 30 },
      inclusions: [{ type: 'folder', path: treeDir }],
      exclusions: [],
      notifications: [{ type: 'email', destination: 'ops@example.com', on_success: true, on_failure: true }],
    });
    assert.equal(configuration.status, 201, configuration.text);
    configurationId = configuration.body.id;
    const backup = await api('POST', '/backups', { configuration_id: configurationId, state: 'start_requested' });
    assert.equal(backup.status, 201, backup.text);
    backupId = backup.body.id;
    const done = await until('the backup', async () => {
      const current = await api('GET', `/backups/${backupId}`);
      return ['completed', 'completed_with_errors', 'failed'].includes(current.body.state) ? current.body : undefined;
    });
    assert.equal(done.state, 'completed', JSON.stringify(done.errors));
  });

  after(async () => {
    agent?.kill('SIGKILL');
    await sleep(200);
    await hooks?.close();
    await t?.close();
    home?.remove();
    if (scratchParent) fs.rmSync(scratchParent, { recursive: true, force: true });
  });

  it('refuses a scratch folder that is not empty, naming target_path, as the agent sees it', async () => {
    const occupied = path.join(scratchParent, 'occupied');
    fs.mkdirSync(occupied);
    fs.writeFileSync(path.join(occupied, 'keep.txt'), 'mine');
    const refused = await api('POST', '/drills', { name: 'occupied', configuration_id: configurationId, target_path: occupied, command: 'test -d .' });
    assert.equal(refused.status, 400, refused.text);
    assert.match(refused.body.errors[0], /^target_path .*occupied on agent "web-1" is not empty \(1 entry, e\.g\. "keep\.txt"\)/);
    assert.equal(fs.readFileSync(path.join(occupied, 'keep.txt'), 'utf8'), 'mine');
  });

  it('a passing check: restored, checked as a task, passed; event, webhook, metric; scratch folder gone', async () => {
    const target = path.join(scratchParent, 'pass');
    const coffer = (args: string[]) => runCoffer(args, { home: home.home, env: { COFFER_PASSWORD: PASSWORD }, timeoutMs: 60_000 });
    assert.equal((await coffer(['login', '--api', t.url, '--user', 'ops'])).code, 0);
    const created = await coffer(['drills', 'create', '--config', 'www', '--name', 'www-pass', '--target', target, '--', 'test', '-s', `.${treeDir}/index.html`]);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^Created drill www-pass \(.+\): manual, into /);
    const watched = await coffer(['drills', 'run', 'www-pass', '--watch']);
    assert.equal(watched.code, 0, watched.stderr + watched.stdout);
    assert.match(watched.stdout, /drill passed/);
    assert.match(watched.stdout, /restore: +completed, 2 files/);
    const drill = (await api('GET', '/drills')).body.drills.find((d: any) => d.name === 'www-pass');
    const run = (await api('GET', `/drill-runs/${drill.last_run.id}`)).body;
    assert.equal(run.state, 'passed', JSON.stringify(run));
    assert.equal(run.backup.id, backupId);
    assert.equal(run.restore.state, 'completed');
    assert.equal(run.restore.files_restored, 2);
    assert.equal(run.check.state, 'SUCCEEDED');
    const task = await t.request('GET', `/v3/tasks/${run.check.task_guid}`, { token: ADMIN_TOKEN });
    assert.equal(task.body.droplet_guid, backupId);
    const output = await t.request('GET', `/v3/tasks/${run.check.task_guid}/output`, { token: ADMIN_TOKEN });
    assert.match(output.text, new RegExp(`drill check in ${target}`));
    assert.equal(fs.existsSync(target), false, 'the scratch folder is removed');
    assert.ok(await streamed('drill_passed', run.id), 'drill_passed on the event stream');
    await until('the drill.passed webhook', async () => webhookOf(run.id));
    assert.equal((webhookOf(run.id).data ?? webhookOf(run.id)).type ?? webhookOf(run.id).type, 'drill.passed');
    const metric = await lastSuccess(drill.id);
    assert.ok(Math.abs(metric - Date.parse(run.ended_time) / 1000) < 1, `metric ${metric} vs ended ${run.ended_time}`);
  });

  it('a failing check (exit 1): failed with the reason; event, webhook; the metric stays at 0', async () => {
    const target = path.join(scratchParent, 'fail');
    const drill = await createDrill('www-fail', `test -e .${treeDir}/missing.html`, target);
    // Run from the command line: its watch exits 1 and says why.
    const coffer = (args: string[]) => runCoffer(args, { home: home.home, env: { COFFER_PASSWORD: PASSWORD }, timeoutMs: 90_000 });
    assert.equal((await coffer(['login', '--api', t.url, '--user', 'ops'])).code, 0);
    const watched = await coffer(['drills', 'run', 'www-fail', '--watch']);
    assert.equal(watched.code, 1, watched.stderr + watched.stdout);
    assert.match(watched.stdout, /drill failed/);
    assert.match(watched.stdout, /reason: +The check failed: Exited with status 1\./);
    const run = (await api('GET', `/drill-runs/${(await api('GET', `/drills/${drill.id}`)).body.last_run.id}`)).body;
    assert.equal(run.state, 'failed');
    assert.equal(run.restore.state, 'completed');
    assert.equal(run.check.state, 'FAILED');
    assert.equal(run.failure_reason, 'The check failed: Exited with status 1.');
    assert.equal(fs.existsSync(target), false, 'the scratch folder is removed');
    assert.ok(await streamed('drill_failed', run.id), 'drill_failed on the event stream');
    await until('the drill.failed webhook', async () => webhookOf(run.id));
    assert.equal(await lastSuccess(drill.id), 0);
    const emails = await t.server.ctx.store.db.selectFrom('deliveries').select(['recipient', 'event_type']).where('subject_id', '=', run.id).where('channel', '=', 'email').execute();
    assert.deepEqual(emails, [{ recipient: 'ops@example.com', event_type: 'drill.failed' }]);
  });

  it('a backup corrupted in the vault: the drill fails, saying the restore did not come back whole', async () => {
    const vaultId = (await api('GET', `/agents/${agentId}`)).body.vault.id;
    const files = new VaultFiles(t.server.ctx.blobs, vaultId);
    const packs = await files.list('data/');
    assert.ok(packs.length > 0);
    for (const pack of packs) {
      const bytes = await files.load(pack.name);
      bytes[Math.floor(bytes.length / 3)]! ^= 0x01;
      await files.remove(pack.name);
      await files.save(pack.name, bytes);
    }
    const target = path.join(scratchParent, 'corrupt');
    const drill = await createDrill('www-corrupt', `test -s .${treeDir}/index.html`, target);
    const run = await runDrill(drill.id);
    assert.equal(run.state, 'failed', JSON.stringify(run));
    assert.notEqual(run.restore.state, 'completed');
    assert.equal(run.check, null, 'no check runs on a broken restore');
    assert.match(run.failure_reason, new RegExp(`^The restore of backup ${backupId} into the scratch folder ended (failed|completed_with_errors)`));
    assert.match(run.failure_reason, /First error: .*failed authentication \(damaged or altered\)/);
    assert.equal(fs.existsSync(target), false, 'the scratch folder is removed');
    assert.ok(await streamed('drill_failed', run.id));
  });

  it('the console lists the drills with their last runs and shows a run with its restore, check, output and reason', async (ctx) => {
    if (!fs.existsSync(CHROMIUM)) return ctx.skip(`${CHROMIUM} is missing`);
    const { chromium } = await import('playwright-core');
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'coffer-chromium-'));
    const browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      await page.goto(`${t.url}/console`);
      await page.getByLabel('User name').fill('ops');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('link', { name: 'Drills' }).click();
      await page.getByRole('heading', { name: 'Restore drills' }).waitFor();
      // The first table: each drill with its last run.
      await page
        .getByRole('row', { name: /www-pass/ })
        .first()
        .getByText('passed')
        .waitFor();
      const failedRow = page.getByRole('row', { name: /www-fail/ }).first();
      await failedRow.getByText('failed').waitFor();
      await failedRow.getByRole('link').first().click();
      await page.getByRole('heading', { name: /^Drill run [0-9a-f]{8}$/ }).waitFor();
      await page.getByRole('alert').getByText('The check failed: Exited with status 1.').waitFor();
      await page.getByRole('heading', { name: 'Check output' }).waitFor();
      await page.getByText(/drill check in /).waitFor();
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
      fs.rmSync(profile, { recursive: true, force: true });
    }
  });
});
