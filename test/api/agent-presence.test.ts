// An agent away longer than its project's threshold is announced once (e-mail to the on_failure addresses of its
// configurations, and agent.offline to subscribed webhooks), and once more when it is back; real SMTP (aiosmtpd)
// and a real HTTP receiver. The check runs with the server's own code, called twice at once as two nodes would.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { checkAgentPresence } from '../../src/resources/notifications/agent-presence.check.js';
import { buildWorld, OTHER_PROJECT, PROJECT, registerAgent, type RegisteredAgent, type World } from '../helpers/fixtures.js';
import { smtpUnavailable, startSmtpServer, type SmtpServer } from '../helpers/smtp-server.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

const skip = smtpUnavailable();

describe('agent offline and back online', { skip, timeout: 120_000 }, () => {
  let t: TestServer;
  let w: World;
  let smtp: SmtpServer;
  let receiver: WebhookReceiver;
  let flaky: RegisteredAgent;
  const k = randomBytes(4).toString('hex');

  before(async () => {
    smtp = await startSmtpServer();
    receiver = await startWebhookReceiver();
    // The periodic check is left to the test, which calls it with the server's context.
    t = await startTestServer({ smtpUrl: smtp.url, mailFrom: 'coffer@test.example', deliveryPollMs: 100, deliveryTimeoutMs: 2000, alertCheckMs: 3_600_000 });
    w = await buildWorld(t);
    flaky = await registerAgent(t, w.admin, PROJECT, { name: `Flaky ${k}` });
  });
  after(async () => {
    await t?.close();
    await receiver?.close();
    await smtp?.close();
  });

  const setLastSeen = (agentId: string, at: Date) => t.server.ctx.store.db.updateTable('agents').set({ last_seen_at: at.toISOString() }).where('id', '=', agentId).execute();
  const check = () => checkAgentPresence(t.server.ctx);

  it('the threshold is a per-project setting: default 24 h, bounded, users only, 400 naming the field', async () => {
    assert.deepEqual((await t.request('GET', `/v2/${PROJECT}/settings/alerts`, { token: w.observer })).body, { agent_offline_seconds: 86400 });
    for (const [body, message] of [
      [{ agent_offline_seconds: 10 }, 'agent_offline_seconds must be at least 300.'],
      [{ agent_offline_seconds: '3600' }, 'agent_offline_seconds must be an integer.'],
      [{}, 'agent_offline_seconds is required.'],
      [{ agent_offline_seconds: 3600, mail_to: 'x' }, 'mail_to is not a setting (known: agent_offline_seconds).'],
    ] as const) {
      const res = await t.request('PUT', `/v2/${PROJECT}/settings/alerts`, { token: w.creator, body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.ok(res.body.errors.includes(message), res.text);
    }
    assert.equal((await t.request('PUT', `/v2/${PROJECT}/settings/alerts`, { token: w.observer, body: { agent_offline_seconds: 3600 } })).status, 403);
    assert.equal((await t.request('PUT', `/v2/${PROJECT}/settings/alerts`, { token: w.agent.token, body: { agent_offline_seconds: 3600 } })).status, 403);
    assert.deepEqual((await t.request('GET', `/v2/${PROJECT}/settings/alerts`, { token: w.observer })).body, { agent_offline_seconds: 86400 }, 'nothing stored');
    assert.equal((await t.request('PUT', `/v2/${PROJECT}/settings/alerts`, { token: w.creator, body: { agent_offline_seconds: 3600 } })).status, 204);
    assert.deepEqual((await t.request('GET', `/v2/${PROJECT}/settings/alerts`, { token: w.observer })).body, { agent_offline_seconds: 3600 });
    assert.deepEqual((await t.request('GET', `/v2/${OTHER_PROJECT}/settings/alerts`, { token: w.stranger })).body, { agent_offline_seconds: 86400 }, 'per project');
  });

  it('sends one message when the agent goes offline and one when it is back, to on_failure addresses and subscribed webhooks', async () => {
    const hook = await t.request('POST', `/v2/${PROJECT}/webhooks`, {
      token: w.creator,
      body: { url: receiver.url, event_types: ['agent.offline', 'agent.online'], secret: randomBytes(16).toString('hex') },
    });
    assert.equal(hook.status, 201, hook.text);
    const config = await t.request('POST', `/v2/${PROJECT}/configurations`, {
      token: w.creator,
      body: {
        agent_id: flaky.id,
        name: 'Flaky files',
        enabled: true,
        schedule: null,
        retention: { days: 30 },
        inclusions: [{ type: 'folder', path: '/srv/' }],
        exclusions: [],
        notifications: [
          { type: 'email', destination: `oncall-${k}@example.com`, on_success: false, on_failure: true },
          { type: 'email', destination: `happy-${k}@example.com`, on_success: true, on_failure: false },
        ],
      },
    });
    assert.equal(config.status, 201, config.text);

    const lastSeen = new Date(Date.now() - 2 * 3600_000);
    await setLastSeen(flaky.id, lastSeen);
    // Away for less than the threshold: not announced.
    await setLastSeen(w.otherAgent.id, new Date(Date.now() - 30 * 60_000));
    const [a, b] = await Promise.all([check(), check()]);
    assert.equal(a.offline + b.offline, 1, 'announced once though two checks ran at once');
    const [offline] = await smtp.waitFor(1, (m) => m.raw.includes(k), 5_000);
    assert.equal(offline!.to, `oncall-${k}@example.com`);
    assert.equal(offline!.subject, `[Coffer] Agent offline: "Flaky ${k}"`);
    assert.match(offline!.body, new RegExp(`has not been heard from since ${lastSeen.toISOString().slice(0, 19)}`));
    assert.match(offline!.body, /Threshold:\s+1 h 0 min/);
    const [posted] = await receiver.waitFor(1, 5_000);
    const event = JSON.parse(posted!.body);
    assert.equal(event.type, 'agent.offline');
    assert.equal(event.data.agent.id, flaky.id);
    assert.equal(event.data.threshold_seconds, 3600);
    assert.deepEqual(await check(), { offline: 0, online: 0 }, 'still away: nothing more');

    // The agent is heard from again (any authenticated request; a node writes it at most every 5 s).
    for (let i = 0; i < 80; i++) {
      assert.equal((await t.request('GET', `/v2/${PROJECT}/agents/${flaky.id}`, { token: flaky.token })).status, 200);
      const row = await t.server.ctx.store.db.selectFrom('agents').select('last_seen_at').where('id', '=', flaky.id).executeTakeFirstOrThrow();
      if (row.last_seen_at! > lastSeen.toISOString()) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const [c, d] = await Promise.all([check(), check()]);
    assert.equal(c.online + d.online, 1, 'announced back once');
    const mails = await smtp.waitFor(2, (m) => m.raw.includes(k), 5_000);
    const back = mails.find((m) => m.subject.includes('back online'))!;
    assert.equal(back.subject, `[Coffer] Agent back online: "Flaky ${k}"`);
    assert.match(back.body, new RegExp(`Away since: ${lastSeen.toISOString().slice(0, 19)}`));
    const requests = await receiver.waitFor(2, 5_000);
    assert.equal(JSON.parse(requests[1]!.body).type, 'agent.online');
    assert.deepEqual(await check(), { offline: 0, online: 0 });

    await new Promise((r) => setTimeout(r, 500));
    const all = smtp.messages().filter((m) => m.raw.includes(k));
    assert.deepEqual(
      all.map((m) => m.to),
      [`oncall-${k}@example.com`, `oncall-${k}@example.com`],
      'on_failure only, twice in all',
    );
    assert.equal(receiver.requests.length, 2);
    const absences = await t.server.ctx.store.db.selectFrom('agent_absences').selectAll().execute();
    assert.equal(absences.length, 1);
    assert.ok(absences[0]!.back_at !== null);
  });
});
