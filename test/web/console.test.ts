import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PROJECT, userToken } from '../helpers/fixtures.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../helpers/test-server.js';
import { AgentPlayer } from '../cli/agent-player.js';
import { REPO_ROOT } from '../cli/run-coffer.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts');
const PASSWORD = 'console-password-1';

type Browser = import('playwright-core').BrowserContext;
type Page = import('playwright-core').Page;

let browser: Browser | undefined;
let skipReason: string | undefined;
let t: TestServer;
let player: AgentPlayer;
let profile: string;
const users = { admin: `console-admin-${process.pid}`, observer: `console-observer-${process.pid}` };

async function launch(): Promise<Browser | string> {
  if (!fs.existsSync(CHROMIUM)) return `${CHROMIUM} is missing (apt-get install -y chromium)`;
  try {
    const { chromium } = await import('playwright-core');
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'coffer-chromium-'));
    // A persistent context is how Playwright takes a fresh --user-data-dir of our own.
    return await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      timeout: 30_000,
      viewport: { width: 1280, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  } catch (error) {
    return `chromium could not be launched: ${(error as Error).message.split('\n')[0]}`;
  }
}

async function signIn(page: Page, username: string): Promise<void> {
  await page.goto(`${t.url}/console`);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
}

before(async () => {
  const launched = await launch();
  if (typeof launched === 'string') {
    // CI sets COFFER_REQUIRE_BROWSER=1: there a browser that cannot start is a failure, not a skip.
    if (process.env.COFFER_REQUIRE_BROWSER === '1') throw new Error(`COFFER_REQUIRE_BROWSER=1 but ${launched}`);
    skipReason = launched;
    return;
  }
  browser = launched;
  t = await startTestServer();
  for (const [role, username] of [
    ['admin', users.admin],
    ['observer', users.observer],
  ] as const) {
    const created = await t.request('POST', '/admin/users', { token: ADMIN_TOKEN, body: { username, password: PASSWORD, project_id: PROJECT, roles: [`cloudbackup:${role}`] } });
    assert.equal(created.status, 201, created.text);
  }
  player = await AgentPlayer.register(t, await userToken(t, 'admin'), PROJECT);
  await player.start();
  fs.mkdirSync(ARTIFACTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await player?.stop();
  await t?.close();
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
});

describe('web console in headless Chromium', () => {
  test('sign in, see the agent online, create a configuration, back up, watch it complete, request a log file', async (ctx) => {
    if (!browser) return ctx.skip(`browser test skipped: ${skipReason}`);
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) problems.push(`console: ${message.text()}`);
    });

    // A wrong password shows the server's message.
    await page.goto(`${t.url}/console`);
    await page.getByLabel('User name').fill(users.admin);
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('The username or password is wrong.').waitFor();

    await signIn(page, users.admin);

    await page.getByRole('link', { name: 'Agents' }).click();
    await page.getByRole('heading', { name: 'Agents' }).waitFor();
    const row = page.getByRole('row', { name: /Web Server/ });
    await row.getByText('online').waitFor({ timeout: 10_000 });

    // Configurations: the server's validation message comes back into the form.
    await page.getByRole('link', { name: 'Configurations' }).click();
    await page.getByRole('link', { name: 'New configuration' }).click();
    await page.getByLabel('Name').fill('Web files');
    await page.getByLabel('Repeat').selectOption('DAILY');
    await page.getByLabel('At (time of day)').fill('02:00');
    await page.getByLabel('Time zone').fill('Europe/Berlin');
    await page.getByLabel('Back up these folders').fill('/srv/www');
    await page.getByLabel('Leave out').fill('/etc');
    await page.getByLabel('E-mail when a backup fails').fill('ops@example.com');
    await page.getByRole('button', { name: 'Create configuration' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /\/etc/);
    await page.getByLabel('Leave out').fill('/srv/www/cache');
    await page.getByRole('button', { name: 'Create configuration' }).click();
    await page.getByRole('heading', { name: 'Configuration Web files' }).waitFor();
    await page.getByText(/Schedule: daily 02:00 \(Europe\/Berlin\)/).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-configuration.png'), fullPage: true });

    // Start a backup and watch it complete on its page.
    player.script = { totalBytes: 64_000_000, files: 240, steps: 4, stepMs: 300, end: 'completed' };
    await page.getByRole('button', { name: 'Back up now' }).click();
    await page.getByRole('heading', { name: /^Backup [0-9a-f]{8}$/ }).waitFor();
    await page.locator('.facts .state', { hasText: 'completed' }).waitFor({ timeout: 20_000 });
    await page.getByText('100% · 64.0 MB of 64.0 MB').waitFor();
    await page.getByText('240 backed up of 240 searched').waitFor();
    await page.getByRole('link', { name: 'Web Server' }).waitFor();
    await page.locator('.events li', { hasText: 'backup_completed' }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-job.png'), fullPage: true });

    // Retention: keep rules on the configuration, and the dry run beside them shows what stays and why.
    await page.getByRole('link', { name: 'Configurations' }).click();
    await page.getByRole('link', { name: 'Web files' }).click();
    await page.getByRole('heading', { name: 'Configuration Web files' }).waitFor();
    await page.getByLabel('Keep backups for (days)').fill('0');
    await page.getByLabel('Keep daily').fill('7');
    await page.getByLabel('Upload limit (MB/s)').fill('10');
    await page.getByLabel('Window opens at').fill('22:00');
    await page.getByLabel('Window closes at').fill('06:00');
    await page.getByLabel('Still running when it closes').selectOption('stop');
    await page.getByRole('button', { name: 'Save changes' }).click();
    const retention = page.getByRole('region', { name: 'What the retention policy keeps' });
    await retention.getByText(/^1 kept, 0 to go at the next cleanup \(time zone Europe\/Berlin/).waitFor();
    await retention.getByRole('cell', { name: /^keep daily \d{4}-\d{2}-\d{2}$/ }).waitFor();
    const saved = (await t.request('GET', `/v2/${PROJECT}/configurations`)).body.configurations.find((c: { name: string }) => c.name === 'Web files');
    assert.deepEqual(saved.retention, { days: 0, keep_daily: 7 });
    assert.deepEqual(saved.bandwidth, { upload_bytes_per_second: 10_000_000, download_bytes_per_second: null });
    assert.deepEqual(saved.backup_window, { start: '22:00', end: '06:00', outside: 'stop' });
    assert.equal(await page.getByLabel('Upload limit (MB/s)').inputValue(), '10', 'the saved limit is shown again');
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-retention.png'), fullPage: true });

    // Jobs list shows it, live.
    await page.getByRole('link', { name: 'Jobs' }).click();
    await page.getByRole('heading', { name: 'Jobs' }).waitFor();
    await page.locator('tbody tr', { hasText: 'backup' }).first().getByText('completed').waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-jobs.png'), fullPage: true });
    // Live: a backup started elsewhere (here through the API) appears and runs to its end without a reload.
    const rowsBefore = await page.locator('tbody tr').count();
    const configList = await t.request('GET', `/v2/${PROJECT}/configurations`);
    const elsewhere = await t.request('POST', `/v2/${PROJECT}/backups`, { body: { configuration_id: configList.body.configurations[0].id, state: 'start_requested' } });
    assert.equal(elsewhere.status, 201, elsewhere.text);
    const liveRow = page.locator('tbody tr', { hasText: elsewhere.body.id.slice(0, 8) });
    await liveRow.getByText('completed').waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('tbody tr').count(), rowsBefore + 1);

    // Log file: request it on the agent's page, the agent uploads it, a download link appears.
    await page.getByRole('link', { name: 'Agents' }).click();
    await page.getByRole('link', { name: 'Web Server' }).click();
    await page.getByRole('heading', { name: 'Agent Web Server' }).waitFor();
    await page.getByRole('button', { name: 'Request log file' }).click();
    const download = page.getByRole('link', { name: 'Download' });
    await download.waitFor({ timeout: 15_000 });
    const href = await download.getAttribute('href');
    const response = await fetch(href!);
    assert.equal(response.status, 200);
    const body = Buffer.from(await response.arrayBuffer());
    assert.deepEqual([...body.subarray(0, 2)], [0x1f, 0x8b], 'a gzip file');
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-agent.png'), fullPage: true });

    // Start a restore and a task from the Jobs page; both run to their end.
    await page.getByRole('link', { name: 'Jobs' }).click();
    await page.getByRole('heading', { name: 'Jobs' }).waitFor();
    await page.getByText('Start a job').click();
    await page.getByLabel('Into folder').fill('/tmp/restore-here');
    await page.getByRole('button', { name: 'Start restore' }).click();
    await page.getByRole('heading', { name: /^Restore [0-9a-f]{8}$/ }).waitFor();
    await page.locator('.facts .state', { hasText: 'completed' }).waitFor({ timeout: 20_000 });
    await page.getByText('12 files, 10.0 MB').waitFor();

    await page.getByRole('link', { name: 'Jobs' }).click();
    await page.getByText('Start a job').click();
    await page.getByLabel('Command').fill('uptime');
    await page.getByRole('button', { name: 'Run task' }).click();
    await page.getByRole('heading', { name: /^Task [0-9a-f]{8}$/ }).waitFor();
    await page.locator('.facts .state', { hasText: 'SUCCEEDED' }).waitFor({ timeout: 20_000 });
    await page.locator('pre', { hasText: 'ran: uptime' }).waitFor();
    await page.getByRole('link', { name: 'Jobs' }).click();
    await page.getByRole('link', { name: 'Tasks' }).click();
    await page.locator('tbody tr', { hasText: 'SUCCEEDED' }).first().waitFor();

    // Stop a long backup from its page.
    player.script = { totalBytes: 64_000_000, files: 240, steps: 200, stepMs: 200, end: 'completed' };
    await page.getByRole('link', { name: 'Configurations' }).click();
    await page.getByRole('button', { name: 'Back up Web files now' }).click();
    await page.getByRole('heading', { name: /^Backup [0-9a-f]{8}$/ }).waitFor();
    await page.locator('.facts .state', { hasText: 'in progress' }).waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Stop backup' }).click();
    await page.locator('.facts .state', { hasText: 'stopped' }).waitFor({ timeout: 10_000 });

    // A failed backup, for the failures on the dashboard.
    player.script = { totalBytes: 1_000_000, files: 3, steps: 1, stepMs: 50, end: 'failed' };
    const configs = await t.request('GET', `/v2/${PROJECT}/configurations`);
    const failing = await t.request('POST', `/v2/${PROJECT}/backups`, { body: { configuration_id: configs.body.configurations[0].id, state: 'start_requested' } });
    assert.equal(failing.status, 201, failing.text);
    for (let i = 0; i < 100; i++) {
      if ((await t.request('GET', `/v2/${PROJECT}/backups/${failing.body.id}`)).body.state === 'failed') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    // Dashboard: the chart has a bar for today's bytes.
    await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.locator('svg rect.bar').first().waitFor();
    const label = await page.locator('.chart svg').getAttribute('aria-label');
    // Two completed 64 MB backups, and what the stopped and the failed ones had stored.
    const backedUp = Number(/([\d.]+) MB backed up/.exec(label ?? '')?.[1]);
    assert.ok(backedUp >= 128 && backedUp < 200, label ?? '');
    assert.match(label ?? '', /, 1 failed job\./);
    await page.locator('svg rect.fail').first().waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-dashboard.png'), fullPage: true });

    // Page changes leave one event long poll open, not one per page visited.
    const polls = new Set<unknown>();
    page.on('request', (request) => {
      if (/\/events\?.*wait=/.test(request.url())) polls.add(request);
    });
    const done = (request: unknown) => polls.delete(request);
    page.on('requestfinished', done);
    page.on('requestfailed', done);
    for (const name of ['Agents', 'Jobs', 'Agents', 'Jobs', 'Dashboard']) {
      await page.getByRole('link', { name, exact: true }).click();
      await page.getByRole('heading', { name, exact: true }).waitFor();
    }
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(polls.size, 1, `${polls.size} long polls open`);

    // Keyboard: on a fresh load the skip link is the first stop.
    await page.reload();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => (globalThis as any).document.activeElement?.textContent), 'Skip to content');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => (globalThis as any).document.activeElement?.id), 'main');
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

    // Readable at 360 px: nothing wider than the screen.
    await page.setViewportSize({ width: 360, height: 780 });
    await page.getByRole('link', { name: 'Agents' }).click();
    await page.getByRole('heading', { name: 'Agents' }).waitFor();
    const overflow = await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth - (globalThis as any).innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than a 360px screen`);
    await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
    await page.locator('svg rect.bar').first().waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-dashboard-360.png'), fullPage: true });
    await page.getByRole('link', { name: 'Jobs' }).click();
    await page.locator('tbody tr a').first().click();
    await page.getByRole('heading', { name: /^Backup [0-9a-f]{8}$/ }).waitFor();
    await page.locator('.facts .state').waitFor();
    const jobOverflow = await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth - (globalThis as any).innerWidth);
    assert.ok(jobOverflow <= 0, `the job page is ${jobOverflow}px wider than a 360px screen`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-job-360.png'), fullPage: true });

    assert.deepEqual(problems, []);
    await page.close();
  });

  test('an observer sees no actions it may not take', async (ctx) => {
    if (!browser) return ctx.skip(`browser test skipped: ${skipReason}`);
    const page = await browser.newPage();
    await signIn(page, users.observer);
    await page.getByRole('link', { name: 'Configurations' }).click();
    await page.getByRole('heading', { name: 'Configurations' }).waitFor();
    await page.getByRole('link', { name: 'Web files' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'New configuration' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: /Back up/ }).count(), 0);
    await page.getByRole('link', { name: 'Agents' }).click();
    await page.getByRole('heading', { name: 'Agents' }).waitFor();
    await page.getByRole('link', { name: 'Web Server' }).waitFor();
    assert.equal(await page.getByRole('button', { name: /Disable|Enable/ }).count(), 0);
    await page.getByRole('link', { name: 'Web Server' }).click();
    await page.getByRole('heading', { name: 'Agent Web Server' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Request log file' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Start cleanup' }).count(), 0);
    await page.close();
  });

  test("the server's administrator manages users; everyone changes a password; signing out revokes the token; the agent page shows vault usage", async (ctx) => {
    if (!browser) return ctx.skip(`browser test skipped: ${skipReason}`);
    const root = `console-root-${process.pid}`;
    const created = await t.request('POST', '/admin/users', { token: ADMIN_TOKEN, body: { username: root, password: PASSWORD, project_id: PROJECT, roles: ['cloudbackup:admin'] } });
    await t.server.ctx.store.db.updateTable('users').set({ is_admin: 1 }).where('id', '=', created.body.id).execute();
    const victim = `console-victim-${process.pid}`;
    await t.request('POST', '/admin/users', { token: ADMIN_TOKEN, body: { username: victim, password: PASSWORD, project_id: PROJECT, roles: ['cloudbackup:observer'] } });
    const page = await browser.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    await signIn(page, root);

    await page.getByRole('link', { name: 'Agents' }).click();
    await page.getByRole('link', { name: 'Web Server' }).click();
    await page
      .getByText(/of unlimited · \d+ files of unlimited/)
      .first()
      .waitFor();

    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'Users', exact: true }).waitFor();
    const row = page.getByRole('row', { name: new RegExp(victim) });
    await row.getByRole('button', { name: 'Disable' }).click();
    await row.getByText('disabled').waitFor();
    const login = (password: string) => t.request('POST', '/v2.0/tokens', { token: null, body: { auth: { passwordCredentials: { username: victim, password } } } });
    assert.equal((await login(PASSWORD)).status, 401);
    await row.getByRole('button', { name: 'Enable' }).click();
    await row.getByText('enabled').waitFor();
    assert.equal((await login(PASSWORD)).status, 200);
    await row.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('row', { name: new RegExp(victim) }).waitFor({ state: 'detached' });

    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByLabel('New password (8 characters or more)').fill('console-password-2');
    await page.getByLabel('New password again').fill('console-password-2');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Your password is changed').waitFor();
    const token = await page.evaluate(() => JSON.parse((globalThis as any).sessionStorage.getItem('coffer.session')).token);
    assert.equal((await t.request('GET', '/admin/users', { token })).status, 200);
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    assert.equal((await t.request('GET', '/admin/users', { token })).status, 401, 'signing out revoked the token on the server');
    await page.close();
  });

  test('a failed backup with 1,743 errors: no live bar, errors a page at a time, the jobs list with configuration, size and duration, all at 360 px', async (ctx) => {
    if (!browser) return ctx.skip(`browser test skipped: ${skipReason}`);
    // The played agent steps aside: this backup is reported by hand, as an agent would.
    await player.stop();
    const asAgent = { token: player.agent.token, headers: { 'x-agent-id': player.id } };
    const configs = await t.request('GET', `/v2/${PROJECT}/configurations`);
    const config = configs.body.configurations.find((c: { name: string }) => c.name === 'Web files');
    const started = await t.request('POST', `/v2/${PROJECT}/backups`, { body: { configuration_id: config.id, state: 'start_requested' } });
    assert.equal(started.status, 201, started.text);
    const id = started.body.id;
    const patch = (operations: unknown[]) => t.request('PATCH', `/v2/${PROJECT}/backups/${id}`, { ...asAgent, body: operations, contentType: 'application/json-patch+json' });
    assert.equal(
      (
        await patch([
          { op: 'replace', path: '/state', value: 'in_progress' },
          { op: 'add', path: '/started_time', value: '2026-01-02T03:04:05Z' },
        ])
      ).status,
      204,
    );
    const progress = await t.request('POST', `/v2/${PROJECT}/agents/${player.id}/events`, {
      ...asAgent,
      body: { event: 'backup_progress', backup: { id }, bytes_completed: 10, bytes_remaining: 90, total_bytes: 100 },
    });
    assert.equal(progress.status, 202, progress.text);
    const list = Array.from({ length: 1743 }, (_, index) => ({
      index,
      path: `/srv/www/private/file-${index}.db`,
      type: 'phx_exception',
      exception: { code: 13, description: 'EACCES: permission denied', details: '' },
    }));
    const failed = await patch([
      { op: 'replace', path: '/state', value: 'failed' },
      { op: 'add', path: '/ended_time', value: '2026-01-02T03:06:10Z' },
      { op: 'add', path: '/files_searched', value: 2000 },
      { op: 'add', path: '/files_backed_up', value: 257 },
      { op: 'add', path: '/errors', value: { count: 1743, reason: 'unable_to_process_some_files', diagnostics: 'Some files could not be backed up.', list } },
    ]);
    assert.equal(failed.status, 204, failed.text);

    const page = await browser.newPage();
    await page.setViewportSize({ width: 360, height: 780 });
    const overflow = () => page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth - (globalThis as any).innerWidth);
    await signIn(page, users.admin);
    await page.goto(`${t.url}/console#/jobs/backup/${id}`);
    await page.getByRole('heading', { name: `Backup ${id.slice(0, 8)}` }).waitFor();
    await page.getByRole('heading', { name: 'Errors (1743)' }).waitFor();
    assert.equal(await page.getByRole('progressbar').count(), 0, 'a failed backup shows no progress bar');
    assert.equal(await page.getByRole('region', { name: 'Progress' }).count(), 0);
    assert.equal(await page.locator('ul.errors li').count(), 50);
    await page.getByText('Showing 1–50 of 1743.').waitFor();
    await page.locator('ul.errors li', { hasText: '/srv/www/private/file-0.db — EACCES: permission denied' }).waitFor();
    assert.doesNotMatch(await page.locator('main').innerText(), /Phoenix/, 'no internal code names');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Showing 51–100 of 1743.').waitFor();
    await page.locator('ul.errors li', { hasText: 'file-50.db' }).waitFor();
    const height = await page.evaluate(() => (globalThis as any).document.documentElement.scrollHeight);
    assert.ok(height < 6000, `the page is ${height}px tall`);
    assert.ok((await overflow()) <= 0, `the job page is ${await overflow()}px wider than a 360px screen`);
    // Times name their zone.
    const ended = await page.locator('.facts dt', { hasText: 'Ended' }).locator('xpath=following-sibling::dd[1]').innerText();
    assert.match(ended, /2026.*\b(UTC|GMT[+-]?[\d:]*|[A-Z]{3,5})$/, ended);
    await page.getByText('2m 05s').first().waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-failed-job-360.png'), fullPage: true });

    // The jobs list: configuration, size and how long each took.
    await page.getByRole('link', { name: 'Jobs' }).click();
    await page.getByRole('heading', { name: 'Jobs' }).waitFor();
    for (const header of ['Configuration', 'Size', 'Took']) await page.getByRole('columnheader', { name: header }).waitFor();
    const failedRow = page.locator('tbody tr', { hasText: id.slice(0, 8) });
    await failedRow.getByText('Web files').waitFor();
    await failedRow.getByText('2m 05s').waitFor();
    const completedRow = page.locator('tbody tr', { hasText: 'completed' }).filter({ hasText: 'backup' }).first();
    await completedRow.getByText('64.0 MB').waitFor();
    assert.ok((await overflow()) <= 0, `the jobs list is ${await overflow()}px wider than a 360px screen`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-jobs-360.png'), fullPage: true });
    await page.getByRole('link', { name: 'Configurations' }).click();
    await page.getByRole('heading', { name: 'Configurations' }).waitFor();
    assert.ok((await overflow()) <= 0, `the configurations page is ${await overflow()}px wider than a 360px screen`);
    await page.close();
  });

  test('a backup waiting in the queue shows its place in the jobs list and on its page', async (ctx) => {
    if (!browser) return ctx.skip(`browser test skipped: ${skipReason}`);
    // One backup at a time in the project; the agent (played by hand here) has two scheduled backups due.
    assert.equal((await t.request('PUT', `/v2/${PROJECT}/settings/queue`, { body: { max_running_backups: 1 } })).status, 204);
    const asAgent = { token: player.agent.token, headers: { 'x-agent-id': player.id } };
    const config = (await t.request('GET', `/v2/${PROJECT}/configurations`)).body.configurations.find((c: { name: string }) => c.name === 'Web files');
    const scheduled = async () => (await t.request('POST', `/v2/${PROJECT}/backups`, { ...asAgent, body: { configuration_id: config.id, state: 'start_scheduled' } })).body;
    const running = await scheduled();
    const waiting = await scheduled();
    assert.deepEqual([running.queue_position, waiting.state, waiting.queue_position], [null, 'queued', 1]);
    const page = await browser.newPage();
    try {
      await signIn(page, users.admin);
      await page.goto(`${t.url}/console#/jobs?type=backup`);
      await page.getByRole('heading', { name: 'Jobs' }).waitFor();
      await page
        .locator('tbody tr', { hasText: waiting.id.slice(0, 8) })
        .getByText('#1')
        .waitFor();
      assert.equal(
        await page
          .locator('tbody tr', { hasText: running.id.slice(0, 8) })
          .getByText(/#\d/)
          .count(),
        0,
        'the admitted backup has no place',
      );
      await page.goto(`${t.url}/console#/jobs/backup/${waiting.id}`);
      await page.getByRole('heading', { name: `Backup ${waiting.id.slice(0, 8)}` }).waitFor();
      await page.getByText('#1 in the queue, waiting for a run slot').waitFor();
    } finally {
      await page.close();
      await t.request('PUT', `/v2/${PROJECT}/settings/queue`, { body: {} });
    }
  });
});
