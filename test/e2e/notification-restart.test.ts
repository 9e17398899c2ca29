// A real `coffer serve` process is killed with SIGKILL after a backup ended failed but while its e-mail was being
// sent (the SMTP server accepts the connection and never answers); after a restart the e-mail goes out, exactly once.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { smtpUnavailable, startSmtpServer, type SmtpServer } from '../helpers/smtp-server.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-store.js';
import { call, registerAgentOver, spawnServer, type ServerProcess } from './multi-node-server-process.js';

const ADMIN = 'notification-restart-admin-token';
const PROJECT = '770016';
const skip = smtpUnavailable();

/** An "SMTP server" that accepts connections and never says a word: a send to it hangs until its time limit. */
async function silentSmtp(): Promise<{ url: string; connections(): number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let count = 0;
  const server = net.createServer((socket) => {
    count++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    connections: () => count,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('notification survives a crash between the job end and the send', { skip, timeout: 180_000 }, () => {
  let database: TestDatabase;
  let server: ServerProcess | undefined;
  let smtp: SmtpServer;
  let silent: Awaited<ReturnType<typeof silentSmtp>>;

  before(async () => {
    database = await createTestDatabase();
    smtp = await startSmtpServer();
    silent = await silentSmtp();
  });
  after(async () => {
    await server?.stop();
    await silent?.close();
    await smtp?.close();
    await database?.drop();
  });

  const env = (smtpUrl: string) => ({
    DATABASE_URL: database.databaseUrl,
    COFFER_DATA_DIR: database.dataDir,
    COFFER_ADMIN_TOKEN: ADMIN,
    COFFER_SMTP_URL: smtpUrl,
    COFFER_MAIL_FROM: 'coffer@test.example',
    COFFER_DELIVERY_POLL_MS: '200',
    COFFER_DELIVERY_TIMEOUT_MS: '3000',
  });

  it('SIGKILL while the e-mail is in flight: sent after restart, once, with the same delivery id', async () => {
    server = await spawnServer(env(silent.url));
    const agent = await registerAgentOver(server.url, PROJECT, ADMIN);
    const config = await call(server.url, 'POST', `/v2/${PROJECT}/configurations`, ADMIN, {
      agent_id: agent.id,
      name: 'Crash files',
      enabled: true,
      schedule: null,
      retention: { days: 30 },
      inclusions: [{ type: 'folder', path: '/srv/' }],
      exclusions: [],
      notifications: [{ type: 'email', destination: 'crash@example.com', on_success: false, on_failure: true }],
    });
    assert.equal(config.status, 201, config.text);
    const backup = await call(server.url, 'POST', `/v2/${PROJECT}/backups`, ADMIN, { configuration_id: config.body.id, state: 'start_requested' });
    assert.equal(backup.status, 201, backup.text);
    const ended = await call(server.url, 'PATCH', `/v2/${PROJECT}/backups/${backup.body.id}`, agent.token, [{ op: 'replace', path: '/state', value: 'failed' }]);
    assert.equal(ended.status, 204, ended.text);

    // The moment: the job's end is committed and the worker is talking to SMTP, which has not answered.
    await until('the worker connects to SMTP', 10_000, async () => silent.connections() > 0);
    const inFlight = await call(server.url, 'GET', `/v2/${PROJECT}/deliveries`, ADMIN);
    assert.equal(inFlight.body.deliveries.length, 1);
    const delivery = inFlight.body.deliveries[0];
    assert.deepEqual([delivery.state, delivery.attempts, delivery.subject_id], ['pending', 1, backup.body.id], 'claimed, not yet sent');
    await server.kill();
    await silent.close();
    assert.equal(smtp.messages().length, 0);

    // Restarted, now with a working SMTP server: the claim of the dead process runs out and the e-mail goes out.
    server = await spawnServer(env(smtp.url));
    const [mail] = await smtp.waitFor(1, () => true, 45_000);
    assert.equal(mail!.to, 'crash@example.com');
    assert.equal(mail!.deliveryId, delivery.id);
    assert.match(mail!.subject, /Backup FAILED: "Crash files"/);
    const done = await until('the delivery is recorded delivered', 10_000, async () => {
      const res = await call(server!.url, 'GET', `/v2/${PROJECT}/deliveries/${delivery.id}`, ADMIN);
      return res.body.state === 'delivered' ? res.body : undefined;
    });
    // The killed attempt left no record; the second one delivered.
    assert.equal(done.attempts, 2);
    assert.deepEqual(
      done.attempt_log.map((a: { attempt: number; outcome: string }) => [a.attempt, a.outcome]),
      [[2, 'delivered']],
    );
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(smtp.messages().length, 1, 'sent once');
  });
});
