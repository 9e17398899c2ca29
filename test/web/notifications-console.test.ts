// The console's Notifications page and a webhook's page in headless Chromium, against a real server with a real
// webhook receiver: webhooks with their last delivery, configurations' e-mail addresses, the last deliveries, the
// secret for an admin only, and a test delivery sent from the page.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchChromium, type BrowserContext } from '../helpers/chromium.js';
import { buildWorld, patchHeaders, PROJECT, type World } from '../helpers/fixtures.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../helpers/test-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

type Page = import('playwright-core').Page;

const PASSWORD = 'console-password-1';
const SECRET = 'console-secret-0123456789';
const users = { admin: `notify-admin-${process.pid}`, observer: `notify-observer-${process.pid}` };

describe('console: notifications', { timeout: 180_000 }, () => {
  let chromium: { browser: BrowserContext; close(): Promise<void> } | undefined;
  let skipReason = '';
  let t: TestServer;
  let w: World;
  let receiver: WebhookReceiver;
  let webhookId = '';

  before(async () => {
    const launched = await launchChromium();
    if (typeof launched === 'string') {
      skipReason = launched;
      return;
    }
    chromium = launched;
    receiver = await startWebhookReceiver();
    t = await startTestServer({ deliveryPollMs: 100, deliveryTimeoutMs: 2000 });
    w = await buildWorld(t);
    for (const [role, username] of [
      ['admin', users.admin],
      ['observer', users.observer],
    ] as const) {
      const created = await t.request('POST', '/admin/users', { token: ADMIN_TOKEN, body: { username, password: PASSWORD, project_id: PROJECT, roles: [`cloudbackup:${role}`] } });
      assert.equal(created.status, 201, created.text);
    }
    const hook = await t.request('POST', `/v2/${PROJECT}/webhooks`, { token: w.creator, body: { url: receiver.url, event_types: ['backup.failed'], secret: SECRET } });
    assert.equal(hook.status, 201, hook.text);
    webhookId = hook.body.id;
    const config = await t.request('POST', `/v2/${PROJECT}/configurations`, {
      token: w.creator,
      body: {
        agent_id: w.agent.id,
        name: 'Mail store',
        enabled: true,
        schedule: null,
        retention: { days: 30 },
        inclusions: [{ type: 'folder', path: '/srv/' }],
        exclusions: [],
        notifications: [{ type: 'email', destination: 'oncall@example.com', on_success: false, on_failure: true }],
      },
    });
    assert.equal(config.status, 201, config.text);
    const backup = await t.request('POST', `/v2/${PROJECT}/backups`, { token: w.creator, body: { configuration_id: config.body.id, state: 'start_requested' } });
    const failed = await t.request('PATCH', `/v2/${PROJECT}/backups/${backup.body.id}`, {
      token: w.agent.token,
      headers: patchHeaders,
      raw: JSON.stringify([{ op: 'replace', path: '/state', value: 'failed' }]),
    });
    assert.equal(failed.status, 204, failed.text);
    await receiver.waitFor(1, 10_000);
  });
  after(async () => {
    await chromium?.close();
    await t?.close();
    await receiver?.close();
  });

  async function signIn(username: string): Promise<Page> {
    const page = await chromium!.browser.newPage();
    await page.goto(`${t.url}/console`);
    await page.getByLabel('User name').fill(username);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    return page;
  }

  test('an admin sees webhooks, e-mail addresses and deliveries, and sends a test delivery', async (ctx) => {
    if (!chromium) return ctx.skip(`browser test skipped: ${skipReason}`);
    const page = await signIn(users.admin);
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.getByRole('link', { name: 'Notifications' }).click();
    await page.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor();
    const hookRow = page.getByRole('row', { name: new RegExp(receiver.url.replace(/[.]/g, '\\.')) }).first();
    await hookRow.getByText('delivered').first().waitFor();
    assert.match(await hookRow.innerText(), /backup\.failed/);
    assert.match(await hookRow.innerText(), /200/);
    const mailRow = page.getByRole('row', { name: /oncall@example\.com/ }).first();
    assert.match(await mailRow.innerText(), /Mail store\s+Web Server\s+oncall@example\.com\s+no\s+yes/);
    // The e-mail delivery failed: no SMTP is configured, and the page says so.
    await page.getByRole('cell', { name: /COFFER_SMTP_URL is not set/ }).waitFor({ timeout: 10_000 });
    await page.getByText(/Agent offline after/).waitFor();

    await page.getByRole('link', { name: receiver.url }).click();
    await page.getByRole('heading', { name: 'Webhook' }).waitFor();
    await page.getByText(SECRET).waitFor();
    const before = receiver.requests.length;
    await page.getByRole('button', { name: 'Send a test delivery' }).click();
    await page.getByText('Test delivery queued').waitFor();
    const [request] = (await receiver.waitFor(before + 1, 5_000)).slice(before);
    assert.equal(JSON.parse(request!.body).type, 'webhook.test');
    await page.reload();
    await page.getByRole('cell', { name: 'webhook.test' }).waitFor();
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('an observer sees the webhook without its secret and cannot send a test delivery', async (ctx) => {
    if (!chromium) return ctx.skip(`browser test skipped: ${skipReason}`);
    const page = await signIn(users.observer);
    await page.goto(`${t.url}/console#/notifications/webhooks/${webhookId}`);
    await page.getByRole('heading', { name: 'Webhook' }).waitFor();
    await page.getByText('hidden from observers').waitFor();
    assert.equal(await page.getByText(SECRET).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Send a test delivery' }).count(), 0);
    await page.close();
  });
});
