// Job notifications over real SMTP (aiosmtpd) and signed webhooks to a real HTTP receiver, driven by agents' JSON
// Patch reports over HTTP.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { verifyWebhook } from '../../src/resources/notifications/webhook-signature.js';
import { buildWorld, patchHeaders, PROJECT, type World } from '../helpers/fixtures.js';
import { smtpUnavailable, startSmtpServer, type SmtpServer } from '../helpers/smtp-server.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

const skip = smtpUnavailable();

let t: TestServer;
let w: World;
let smtp: SmtpServer;
let receiver: WebhookReceiver;

describe('notifications', { skip, timeout: 120_000 }, () => {
  before(async () => {
    smtp = await startSmtpServer();
    receiver = await startWebhookReceiver();
    t = await startTestServer({ smtpUrl: smtp.url, mailFrom: 'coffer@test.example', deliveryRetryBaseMs: 150, deliveryPollMs: 200, deliveryTimeoutMs: 2000 });
    w = await buildWorld(t);
  });
  after(async () => {
    await t?.close();
    await receiver?.close();
    await smtp?.close();
  });

  const tag = () => randomBytes(4).toString('hex');

  async function newConfig(notifications: unknown[]): Promise<string> {
    const res = await t.request('POST', `/v2/${PROJECT}/configurations`, {
      token: w.creator,
      body: { agent_id: w.agent.id, name: `Files ${tag()}`, enabled: true, schedule: null, retention: { days: 30 }, inclusions: [{ type: 'folder', path: '/srv/' }], exclusions: [], notifications },
    });
    assert.equal(res.status, 201, res.text);
    return res.body.id;
  }

  /** A backup driven to `state` by its agent's JSON Patch reports; returns its id and how long the final report took. */
  async function runBackup(configurationId: string, state: string): Promise<{ id: string; finalReportMs: number; status: number }> {
    const created = await t.request('POST', `/v2/${PROJECT}/backups`, { token: w.creator, body: { configuration_id: configurationId, state: 'start_requested' } });
    assert.equal(created.status, 201, created.text);
    const id = created.body.id;
    const patch = (ops: unknown) => t.request('PATCH', `/v2/${PROJECT}/backups/${id}`, { token: w.agent.token, raw: JSON.stringify(ops), headers: patchHeaders });
    assert.equal((await patch([{ op: 'replace', path: '/state', value: 'in_progress' }])).status, 204);
    const started = performance.now();
    const res = await patch([
      { op: 'replace', path: '/state', value: state },
      { op: 'add', path: '/started_time', value: '2026-01-05T01:00:00.000000Z' },
      { op: 'add', path: '/ended_time', value: '2026-01-05T01:02:30.000000Z' },
      { op: 'add', path: '/files_searched', value: 120 },
      { op: 'add', path: '/bytes_backed_up', value: 5_242_880 },
      ...(state === 'completed'
        ? []
        : [
            {
              op: 'add',
              path: '/errors',
              value: {
                count: 1,
                reason: 'unable_to_process_some_files',
                diagnostics: 'Some files failed',
                list: [{ index: 0, path: '/srv/locked.db', type: 'file_or_folder_missing', exception: { code: 13, description: 'Permission denied', details: '' } }],
              },
            },
          ]),
    ]);
    return { id, finalReportMs: performance.now() - started, status: res.status };
  }

  it('a failed backup sends one e-mail to each on_failure address within 5 s, none to on_success-only ones', async () => {
    const k = tag();
    const config = await newConfig([
      { type: 'email', destination: `fail-a-${k}@example.com`, on_success: false, on_failure: true },
      { type: 'email', destination: `fail-b-${k}@example.com`, on_success: true, on_failure: true },
      { type: 'email', destination: `ok-${k}@example.com`, on_success: true, on_failure: false },
    ]);
    const started = Date.now();
    const backup = await runBackup(config, 'failed');
    assert.equal(backup.status, 204);
    const mails = await smtp.waitFor(2, (m) => m.raw.includes(k), 5_000);
    assert.ok(Date.now() - started < 5_000);
    await new Promise((r) => setTimeout(r, 500));
    const all = smtp.messages().filter((m) => m.raw.includes(k));
    assert.deepEqual(all.map((m) => m.to).sort(), [`fail-a-${k}@example.com`, `fail-b-${k}@example.com`]);
    const mail = mails[0]!;
    assert.match(mail.subject, /Backup FAILED: "Files [0-9a-f]+" on "Web Server"/);
    assert.match(mail.body, new RegExp(`/console#/jobs/backup/${backup.id}`));
    assert.match(mail.body, /2026-01-05T01:00:00/);
    assert.match(mail.body, /bytes_backed_up\s+5\.0 MiB/);
    assert.match(mail.body, /\/srv\/locked\.db: Permission denied/);
    assert.ok(mail.body.startsWith('Backup FAILED') || mail.body.includes('Backup FAILED'));
    // Each e-mail is a delivery of its own, listed with its outcome.
    const list = await t.request('GET', `/v2/${PROJECT}/deliveries?channel=email`, { token: w.observer });
    const mine = list.body.deliveries.filter((d: any) => d.subject_id === backup.id);
    assert.equal(mine.length, 2);
    assert.ok(mine.every((d: any) => d.state === 'delivered' && d.attempts === 1 && d.event_type === 'backup.failed'));
    assert.deepEqual(mine.map((d: any) => d.id).sort(), all.map((m) => m.deliveryId).sort());
  });

  it('a completed backup mails only the on_success addresses; completed_with_errors counts as failure', async () => {
    const k = tag();
    const config = await newConfig([
      { type: 'email', destination: `fail-${k}@example.com`, on_success: false, on_failure: true },
      { type: 'email', destination: `ok-${k}@example.com`, on_success: true, on_failure: false },
    ]);
    await runBackup(config, 'completed');
    const [ok] = await smtp.waitFor(1, (m) => m.raw.includes(k), 5_000);
    assert.equal(ok!.to, `ok-${k}@example.com`);
    assert.match(ok!.subject, /Backup completed:/);
    await runBackup(config, 'completed_with_errors');
    await smtp.waitFor(2, (m) => m.raw.includes(k), 5_000);
    await new Promise((r) => setTimeout(r, 500));
    const all = smtp.messages().filter((m) => m.raw.includes(k));
    assert.deepEqual(all.map((m) => m.to).sort(), [`fail-${k}@example.com`, `ok-${k}@example.com`]);
  });

  it('a stopped backup mails nobody', async () => {
    const k = tag();
    const config = await newConfig([{ type: 'email', destination: `stop-${k}@example.com`, on_success: true, on_failure: true }]);
    const { id } = await runBackup(config, 'stopped');
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(smtp.messages().filter((m) => m.raw.includes(k)).length, 0);
    const list = await t.request('GET', `/v2/${PROJECT}/deliveries`, { token: w.observer });
    assert.equal(list.body.deliveries.filter((d: any) => d.subject_id === id).length, 0);
  });

  it('webhook: signed delivery verifies with the secret and not with another; 500 twice then 200 → delivered once in three attempts', async () => {
    const secret = `s3cret-${randomBytes(12).toString('hex')}`;
    const created = await t.request('POST', `/v2/${PROJECT}/webhooks`, { token: w.creator, body: { url: receiver.url, event_types: ['backup.failed'], secret } });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.secret, secret);
    const config = await newConfig([{ type: 'email', destination: `hook-${tag()}@example.com`, on_success: false, on_failure: true }]);
    receiver.respondWith([500, 500]);
    const before = receiver.requests.length;
    const backup = await runBackup(config, 'failed');
    assert.equal(backup.status, 204);
    const requests = (await receiver.waitFor(before + 3, 10_000)).slice(before);
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(receiver.requests.length, before + 3, 'no fourth POST after the 200');
    const ids = new Set(requests.map((r) => r.headers['coffer-delivery-id']));
    assert.equal(ids.size, 1, 'every attempt carries the same delivery id');
    const last = requests[2]!;
    const body = JSON.parse(last.body);
    assert.equal(body.id, last.headers['coffer-delivery-id']);
    assert.equal(body.type, 'backup.failed');
    assert.equal(body.data.job.id, backup.id);
    assert.equal(body.data.job.state, 'failed');
    assert.equal(requests[0]!.body, last.body, 'the body is the same on every attempt');
    const timestamp = String(last.headers['coffer-timestamp']);
    const signature = String(last.headers['coffer-signature']);
    assert.ok(verifyWebhook(secret, timestamp, last.body, signature));
    assert.equal(verifyWebhook(`${secret}x`, timestamp, last.body, signature), false);
    assert.equal(verifyWebhook(secret, timestamp, last.body.replace('failed', 'complete'), signature), false);

    const deliveries = await t.request('GET', `/v2/${PROJECT}/webhooks/${created.body.id}/deliveries`, { token: w.observer });
    assert.equal(deliveries.status, 200);
    assert.equal(deliveries.body.deliveries.length, 1);
    const delivery = deliveries.body.deliveries[0];
    assert.equal(delivery.state, 'delivered');
    assert.equal(delivery.attempts, 3);
    assert.equal(delivery.last_status_code, 200);
    const detail = await t.request('GET', `/v2/${PROJECT}/deliveries/${delivery.id}`, { token: w.observer });
    assert.deepEqual(
      detail.body.attempt_log.map((a: any) => [a.attempt, a.outcome, a.status_code]),
      [
        [1, 'retry', 500],
        [2, 'retry', 500],
        [3, 'delivered', 200],
      ],
    );
    assert.equal((await t.request('DELETE', `/v2/${PROJECT}/webhooks/${created.body.id}`, { token: w.creator })).status, 204);
  });

  it('the test-delivery call sends a signed webhook.test', async () => {
    const created = await t.request('POST', `/v2/${PROJECT}/webhooks`, { token: w.admin, body: { url: receiver.url, event_types: ['agent.offline'] } });
    assert.equal(created.status, 201, created.text);
    assert.ok(created.body.secret.length >= 32, 'a secret is generated when none is given');
    const before = receiver.requests.length;
    const res = await t.request('POST', `/v2/${PROJECT}/webhooks/${created.body.id}/test`, { token: w.creator });
    assert.equal(res.status, 202, res.text);
    const [request] = (await receiver.waitFor(before + 1)).slice(before);
    assert.equal(request!.headers['coffer-delivery-id'], res.body.delivery_id);
    assert.equal(JSON.parse(request!.body).type, 'webhook.test');
    assert.ok(verifyWebhook(created.body.secret, String(request!.headers['coffer-timestamp']), request!.body, String(request!.headers['coffer-signature'])));
    await t.request('DELETE', `/v2/${PROJECT}/webhooks/${created.body.id}`, { token: w.creator });
  });

  it('SMTP down: the agent report still answers 204 at once, and the mail goes out when SMTP is back', async () => {
    const k = tag();
    const config = await newConfig([{ type: 'email', destination: `down-${k}@example.com`, on_success: false, on_failure: true }]);
    await smtp.stop();
    try {
      const backup = await runBackup(config, 'failed');
      assert.equal(backup.status, 204);
      assert.ok(backup.finalReportMs < 1_000, `the report took ${backup.finalReportMs} ms`);
      // Let the worker fail at least once against the closed port.
      const deadline = Date.now() + 5_000;
      for (;;) {
        const list = await t.request('GET', `/v2/${PROJECT}/deliveries?channel=email`, { token: w.observer });
        const mine = list.body.deliveries.find((d: any) => d.subject_id === backup.id);
        if (mine && mine.attempts >= 1 && mine.state === 'pending' && mine.last_error) break;
        assert.ok(Date.now() < deadline, 'the delivery was attempted and kept for retry');
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await smtp.start();
    }
    const mails = await smtp.waitFor(1, (m) => m.raw.includes(k), 10_000);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(smtp.messages().filter((m) => m.raw.includes(k)).length, 1);
    assert.equal(mails[0]!.to, `down-${k}@example.com`);
  });
});
