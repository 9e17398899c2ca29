// Two real `coffer serve` processes on one PostgreSQL, both running the delivery worker and the alert checks: every
// job notification, webhook POST, summary e-mail and agent offline / online message is sent once, not once per node.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { smtpUnavailable, startSmtpServer, type SmtpServer } from '../helpers/smtp-server.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-store.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { call, inParallel, registerAgentOver, spawnServer, type ServerProcess } from './multi-node-server-process.js';

const ADMIN = 'notification-two-nodes-admin-token';
const PROJECT = '770017';
const BACKUPS = 12;
const skip = !process.env.TEST_DATABASE_URL ? 'TEST_DATABASE_URL is not set: two nodes need a PostgreSQL server (.ci/run starts one)' : smtpUnavailable();

describe('two nodes on PostgreSQL send each notification once', { skip, timeout: 240_000 }, () => {
  let database: TestDatabase;
  let nodes: ServerProcess[] = [];
  let smtp: SmtpServer;
  let receiver: WebhookReceiver;
  let db: pg.Client;

  before(async () => {
    database = await createTestDatabase('postgres');
    smtp = await startSmtpServer();
    receiver = await startWebhookReceiver();
    const env = {
      DATABASE_URL: database.databaseUrl,
      COFFER_DATA_DIR: database.dataDir,
      COFFER_ADMIN_TOKEN: ADMIN,
      COFFER_SMTP_URL: smtp.url,
      COFFER_MAIL_FROM: 'coffer@test.example',
      COFFER_DELIVERY_POLL_MS: '100',
      COFFER_DELIVERY_TIMEOUT_MS: '5000',
      COFFER_ALERT_CHECK_SECONDS: '1',
    };
    nodes = await Promise.all([0, 1].map(() => spawnServer(env)));
    db = new pg.Client({ connectionString: database.databaseUrl });
    await db.connect();
  });
  after(async () => {
    await db?.end();
    await Promise.all(nodes.map((node) => node.stop()));
    await receiver?.close();
    await smtp?.close();
    await database?.drop();
  });

  const node = (i: number) => nodes[i % 2]!.url;

  it(`${BACKUPS} failed backups reported through both nodes: one e-mail per address and one POST each`, async () => {
    const k = randomBytes(4).toString('hex');
    const agent = await registerAgentOver(node(0), PROJECT, ADMIN);
    const hook = await call(node(1), 'POST', `/v2/${PROJECT}/webhooks`, ADMIN, { url: receiver.url, event_types: ['backup.failed'], secret: randomBytes(16).toString('hex') });
    assert.equal(hook.status, 201, hook.text);
    const config = await call(node(0), 'POST', `/v2/${PROJECT}/configurations`, ADMIN, {
      agent_id: agent.id,
      name: 'Two-node files',
      enabled: true,
      schedule: null,
      retention: { days: 30 },
      inclusions: [{ type: 'folder', path: '/srv/' }],
      exclusions: [],
      notifications: [
        { type: 'email', destination: `one-${k}@example.com`, on_success: false, on_failure: true },
        { type: 'email', destination: `two-${k}@example.com`, on_success: false, on_failure: true },
      ],
    });
    assert.equal(config.status, 201, config.text);
    const backups = await inParallel(
      Array.from({ length: BACKUPS }, (_, i) => i),
      4,
      async (i) => {
        const created = await call(node(i), 'POST', `/v2/${PROJECT}/backups`, ADMIN, { configuration_id: config.body.id, state: 'start_requested' });
        assert.equal(created.status, 201, created.text);
        const ended = await call(node(i + 1), 'PATCH', `/v2/${PROJECT}/backups/${created.body.id}`, agent.token, [{ op: 'replace', path: '/state', value: 'failed' }]);
        assert.equal(ended.status, 204, ended.text);
        return created.body.id as string;
      },
    );

    const mine = (m: { to: string }) => m.to.endsWith(`-${k}@example.com`);
    await smtp.waitFor(2 * BACKUPS, mine, 30_000);
    await receiver.waitFor(BACKUPS, 30_000);
    await new Promise((r) => setTimeout(r, 2000));
    const mails = smtp.messages().filter(mine);
    assert.equal(mails.length, 2 * BACKUPS, 'one e-mail per address and backup');
    assert.equal(new Set(mails.map((m) => m.deliveryId)).size, 2 * BACKUPS, 'no delivery sent twice');
    for (const id of backups) assert.equal(mails.filter((m) => m.body.includes(id)).length, 2, `backup ${id}: two e-mails`);
    assert.equal(receiver.requests.length, BACKUPS, 'one POST per backup');
    assert.equal(new Set(receiver.requests.map((r) => r.headers['coffer-delivery-id'])).size, BACKUPS);
    const rows = await db.query<{ state: string; attempts: number; n: string }>('SELECT state, attempts, count(*) AS n FROM deliveries GROUP BY state, attempts');
    assert.deepEqual(
      rows.rows.map((r) => [r.state, r.attempts, Number(r.n)]),
      [['delivered', 1, 3 * BACKUPS]],
      'each delivered at the first attempt, claimed by one node',
    );
    const attempts = await db.query<{ n: string }>('SELECT count(*) AS n FROM delivery_attempts');
    assert.equal(Number(attempts.rows[0]!.n), 3 * BACKUPS);
  });

  it('summary e-mails and agent offline / online messages, checked every second by both nodes, go out once', async () => {
    const k = randomBytes(4).toString('hex');
    const agent = await registerAgentOver(node(1), PROJECT, ADMIN);
    const config = await call(node(0), 'POST', `/v2/${PROJECT}/configurations`, ADMIN, {
      agent_id: agent.id,
      name: 'Presence files',
      enabled: true,
      schedule: null,
      retention: { days: 30 },
      inclusions: [{ type: 'folder', path: '/srv/' }],
      exclusions: [],
      notifications: [{ type: 'email', destination: `presence-${k}@example.com`, on_success: false, on_failure: true }],
    });
    assert.equal(config.status, 201, config.text);
    assert.equal((await call(node(0), 'PUT', `/v2/${PROJECT}/settings/alerts`, ADMIN, { agent_offline_seconds: 300 })).status, 204);
    // Away for an hour: both nodes see it at their next check.
    await db.query(`UPDATE agents SET last_seen_at = $1 WHERE id = $2`, [new Date(Date.now() - 3600_000).toISOString(), agent.id]);
    const summaries = await call(node(1), 'PUT', `/v2/${PROJECT}/settings/summaries`, ADMIN, {
      daily: true,
      weekly: true,
      notifications: [{ type: 'email', destination: `summary-${k}@example.com` }],
    });
    assert.equal(summaries.status, 204, summaries.text);

    const offline = await smtp.waitFor(1, (m) => m.to === `presence-${k}@example.com`, 15_000);
    assert.match(offline[0]!.subject, /Agent offline/);
    const summaryMails = await smtp.waitFor(2, (m) => m.to === `summary-${k}@example.com`, 15_000);
    assert.deepEqual(summaryMails.map((m) => /(Daily|Weekly) summary/.exec(m.subject)?.[1]).sort(), ['Daily', 'Weekly']);
    // Back: any request of the agent.
    assert.equal((await call(node(0), 'GET', `/v2/${PROJECT}/agents/${agent.id}`, agent.token)).status, 200);
    await smtp.waitFor(2, (m) => m.to === `presence-${k}@example.com`, 15_000);
    // Several more checks by both nodes pass.
    await new Promise((r) => setTimeout(r, 3500));
    const presence = smtp.messages().filter((m) => m.to === `presence-${k}@example.com`);
    assert.deepEqual(
      presence.map((m) => /Agent (offline|back online)/.exec(m.subject)?.[1]),
      ['offline', 'back online'],
    );
    assert.equal(smtp.messages().filter((m) => m.to === `summary-${k}@example.com`).length, 2, 'one daily and one weekly summary');
    const runs = await db.query<{ n: string }>('SELECT count(*) AS n FROM summary_runs WHERE project_id = $1', [PROJECT]);
    assert.equal(Number(runs.rows[0]!.n), 2);
  });
});
