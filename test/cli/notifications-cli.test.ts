// `coffer webhooks …` and `coffer notifications …` against a real server with a real webhook receiver: what the
// project tells whom, and how the last deliveries went. No SMTP server: the e-mail delivery fails for good, which
// the listing must show.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildWorld, patchHeaders, PROJECT, type World } from '../helpers/fixtures.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../helpers/test-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { makeHome, runCoffer } from './run-coffer.js';

const PASSWORD = 'notify-password-1';
const SECRET = 'cli-test-secret-0123456789';

describe('coffer webhooks and coffer notifications', { timeout: 180_000 }, () => {
  let t: TestServer;
  let w: World;
  let receiver: WebhookReceiver;
  const homes = { admin: makeHome(), observer: makeHome() };
  let webhookId = '';
  let configurationId = '';
  const run = (who: keyof typeof homes, args: string[]) => runCoffer(args, { home: homes[who].home, env: { COFFER_PASSWORD: PASSWORD, NO_COLOR: '1' } });
  const ok = async (who: keyof typeof homes, args: string[]) => {
    const result = await run(who, args);
    assert.equal(result.code, 0, `coffer ${args.join(' ')} → ${result.code}: ${result.stderr}${result.stdout}`);
    return result.stdout;
  };

  before(async () => {
    receiver = await startWebhookReceiver();
    t = await startTestServer({ deliveryPollMs: 100, deliveryTimeoutMs: 2000 });
    w = await buildWorld(t);
    for (const [who, role] of [
      ['admin', 'admin'],
      ['observer', 'observer'],
    ] as const) {
      const username = `cli-${who}-${process.pid}`;
      const created = await t.request('POST', '/admin/users', { token: ADMIN_TOKEN, body: { username, password: PASSWORD, project_id: PROJECT, roles: [`cloudbackup:${role}`] } });
      assert.equal(created.status, 201, created.text);
      await ok(who, ['login', '--api', t.url, '--user', username]);
    }
    const hook = await t.request('POST', `/v2/${PROJECT}/webhooks`, { token: w.creator, body: { url: receiver.url, event_types: ['backup.failed', 'agent.offline'], secret: SECRET } });
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
        notifications: [
          { type: 'email', destination: 'oncall@example.com', on_success: false, on_failure: true },
          { type: 'email', destination: 'boss@example.com', on_success: true, on_failure: false },
        ],
      },
    });
    assert.equal(config.status, 201, config.text);
    configurationId = config.body.id;
    const backup = await t.request('POST', `/v2/${PROJECT}/backups`, { token: w.creator, body: { configuration_id: configurationId, state: 'start_requested' } });
    const failed = await t.request('PATCH', `/v2/${PROJECT}/backups/${backup.body.id}`, {
      token: w.agent.token,
      headers: patchHeaders,
      raw: JSON.stringify([{ op: 'replace', path: '/state', value: 'failed' }]),
    });
    assert.equal(failed.status, 204, failed.text);
    // Both deliveries end: the webhook POST delivered, the e-mail failed (no SMTP configured).
    for (let i = 0; i < 100; i++) {
      const list = await t.request('GET', `/v2/${PROJECT}/deliveries`, { token: w.observer });
      if (list.body.deliveries.length === 2 && list.body.deliveries.every((d: any) => d.state !== 'pending')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  after(async () => {
    await t?.close();
    await receiver?.close();
    for (const home of Object.values(homes)) home.remove();
  });

  test('webhooks list shows each webhook with its last delivery; --json parses', async () => {
    const table = await ok('admin', ['webhooks']);
    assert.match(table, /ID\s+URL\s+EVENTS\s+ENABLED\s+LAST DELIVERY/);
    // Off a terminal the table fits 80 columns, so long cells are cut; --json has them whole.
    assert.match(table, new RegExp(`${webhookId.slice(0, 8)}\\s+http://127\\.0\\.0\\.1:\\S+\\s+backup\\.failed,\\S+\\s+yes\\s+delivered`));
    const json = JSON.parse(await ok('admin', ['webhooks', '--json']));
    assert.equal(json.webhooks.length, 1);
    assert.equal(json.webhooks[0].id, webhookId);
    assert.equal(json.webhooks[0].last_delivery.state, 'delivered');
    assert.equal(json.webhooks[0].last_delivery.last_status_code, 200);
  });

  test('webhooks show gives the secret to an admin, hides it from an observer, and lists deliveries', async () => {
    const shown = await ok('admin', ['webhooks', 'show', webhookId.slice(0, 6)]);
    assert.match(shown, new RegExp(`secret:\\s+${SECRET}`));
    assert.match(shown, /backup\.failed\s+delivered\s+1\s+200/);
    const hidden = await ok('observer', ['webhooks', 'show', webhookId]);
    assert.doesNotMatch(hidden, new RegExp(SECRET));
    assert.match(hidden, /secret:\s+\(hidden from observers\)/);
    const deliveries = JSON.parse(await ok('observer', ['webhooks', 'deliveries', webhookId, '--json']));
    assert.equal(deliveries.deliveries.length, 1);
    assert.equal(deliveries.deliveries[0].event_type, 'backup.failed');
    const missing = await run('admin', ['webhooks', 'show', 'ffffffff']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /no webhook "ffffffff"/);
  });

  test('notifications shows who is mailed for what, the summary and offline settings, and the last deliveries', async () => {
    const text = await ok('observer', ['notifications']);
    assert.match(text, /Mail store\s+Web Server\s+oncall@example\.com\s+no\s+yes/);
    assert.match(text, /Mail store\s+Web Server\s+boss@example\.com\s+yes\s+no/);
    assert.match(text, /summary e-mails:\s+off/);
    assert.match(text, /agent offline after:\s+1440 min/);
    assert.match(text, /oncall@\S+\s+backup\.\S+\s+failed\s+1\s+E-mail\s?n/);
    assert.match(text, /http:\/\/\S+\s+backup\.\S+\s+delivered\s+1\s+200/);
    const json = JSON.parse(await ok('observer', ['notifications', '--json']));
    assert.deepEqual(
      json.configurations.map((c: any) => [c.configuration_id, c.destination, c.on_failure]),
      [
        [configurationId, 'oncall@example.com', true],
        [configurationId, 'boss@example.com', false],
      ],
    );
    const mail = json.deliveries.find((d: any) => d.channel === 'email');
    assert.equal(mail.last_error, 'E-mail notifications are not sent: COFFER_SMTP_URL is not set.');
    assert.equal(json.alerts.agent_offline_seconds, 86400);

    const failed = JSON.parse(await ok('observer', ['notifications', 'deliveries', '--channel', 'email', '--state', 'failed', '--json']));
    assert.equal(failed.deliveries.length, 1);
    const one = await ok('observer', ['notifications', 'delivery', failed.deliveries[0].id]);
    assert.match(one, /to:\s+oncall@example\.com/);
    assert.match(one, /\n\s*1\s+\d{4}-\d\d-\d\d \d\d:\d\d.*\s+\d+\s+failed\s+-\s+E-mail/);
    const bad = await run('observer', ['notifications', 'deliveries', '--channel', 'pigeon']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /give one of email, webhook/);
  });

  test('webhooks test queues a signed webhook.test delivery', async () => {
    const before = receiver.requests.length;
    const out = await ok('admin', ['webhooks', 'test', webhookId]);
    assert.match(out, /Queued test delivery [0-9a-f-]{36}/);
    const [request] = (await receiver.waitFor(before + 1, 5_000)).slice(before);
    assert.equal(JSON.parse(request!.body).type, 'webhook.test');
    const refused = await run('observer', ['webhooks', 'test', webhookId]);
    assert.notEqual(refused.code, 0);
  });
});
