// "The API server is gone", on real processes over HTTPS with a test CA: a backup rides out a SIGTERM and a SIGKILL
// restart of the server; the cleanup after them is not blocked by a stale lock; an agent killed mid-backup is
// declared lost (its job failed / agent_lost, its status offline); `coffer server backup` taken while the server
// runs, then `coffer server restore` into an empty data folder, served on another port: every backup restores
// byte for byte through the restored server. docs/disaster-recovery.md walks the same steps.
//
// COFFER_DR_TEST_MB sets the size of the generated tree (the figure is 300; the default is smaller so the
// test stays short on a 2-core CI, and still large enough that each restart lands mid-backup, which it asserts).
// COFFER_E2E_KEEP=1 keeps the work folder (all logs) for a look after a failure.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Agent as HttpsAgent } from 'undici';
import { cofferCommand } from './multi-node-server-process.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SIZE_MB = Number(process.env.COFFER_DR_TEST_MB || 128);
const ADMIN_TOKEN = `dr-admin-${randomBytes(8).toString('hex')}`;
const PROJECT = '515151';
/** Short, so the lost agent is noticed in the test's time; long enough to cover a server restart under load. */
const AGENT_LOST_SECONDS = 20;
const HEARTBEAT_SECONDS = 2;
const TERMINAL = ['completed', 'completed_with_errors', 'failed', 'stopped', 'skipped', 'missed'];

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'coffer-server-dr-'));
const tree = path.join(work, 'tree');
const dataDir = path.join(work, 'server-data');
const configPath = path.join(work, 'agent', 'agent.json');
const tls = { ca: path.join(work, 'ca.pem'), cert: path.join(work, 'server-cert.pem'), key: path.join(work, 'server-key.pem') };
const children = new Set<ChildProcess>();

let api = '';
let port = '';
let server: ChildProcess | undefined;
let agent: ChildProcess | undefined;
let dispatcher: HttpsAgent;
let configurationId = '';
let agentId = '';
/** File hashes of the tree as each backup saw it. */
const versions: { backupId: string; files: Map<string, string> }[] = [];

function makeTestCa(): void {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: work, stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', tls.ca, '-days', '2', '-subj', '/CN=Coffer test CA');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', tls.key, '-out', 'server.csr', '-subj', '/CN=localhost');
  fs.writeFileSync(path.join(work, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', tls.ca, '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', tls.cert, '-days', '2', '-extfile', 'san.ext');
}

function coffer(args: string[], env: Record<string, string>, logName: string): ChildProcess {
  const log = fs.openSync(path.join(work, logName), 'a');
  const child = spawn(process.execPath, [...cofferCommand(), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', log, log] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

async function runCoffer(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  const logName = `cli-${Date.now()}-${randomBytes(2).toString('hex')}.out`;
  const child = coffer(args, env, logName);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output: fs.readFileSync(path.join(work, logName), 'utf8') };
}

const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n--- agent log (tail) ---\n${tail('agent.out')}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function tail(logName: string, lines = 20): string {
  const file = path.join(work, logName);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n') : `(no ${logName})`;
}

/** Starts the server over `dir` on `listenPort` (0: any) with HTTPS, and waits until it answers. */
async function startServer(dir: string, listenPort: string, certFiles = tls): Promise<string> {
  const logName = `server-${Date.now()}.out`;
  server = coffer(
    ['serve', '--port', listenPort, '--data-dir', dir],
    {
      COFFER_ADMIN_TOKEN: ADMIN_TOKEN,
      LOG_LEVEL: 'warn',
      COFFER_TLS_CERT: certFiles.cert,
      COFFER_TLS_KEY: certFiles.key,
      COFFER_AGENT_LOST_SECONDS: String(AGENT_LOST_SECONDS),
      COFFER_AGENT_HEARTBEAT_SECONDS: String(HEARTBEAT_SECONDS),
    },
    logName,
  );
  // Links in the server's answers use its listening address, which the certificate names (IP 127.0.0.1).
  return waitFor('the server to listen', async () => /listening on (https:\/\/\S+)/.exec(fs.readFileSync(path.join(work, logName), 'utf8'))?.[1], 60_000, 100);
}

async function call(method: string, urlPath: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: any; text: string }> {
  const response = await fetch(`${api}${urlPath}`, {
    method,
    headers: { 'x-auth-token': ADMIN_TOKEN, ...(body === undefined ? {} : { 'content-type': contentType }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    dispatcher,
  } as unknown as RequestInit);
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: response.status, body: parsed, text };
}

async function job(kind: string, id: string): Promise<any> {
  const answer = await call('GET', `/v2/${PROJECT}/${kind}s/${id}`);
  assert.equal(answer.status, 200, answer.text);
  return answer.body;
}

const waitForState = (kind: string, id: string, states: string[], timeoutMs: number) =>
  waitFor(
    `${kind} ${id} in ${states.join('|')}`,
    async () => {
      const current = await job(kind, id);
      return states.includes(current.state) ? current : undefined;
    },
    timeoutMs,
  );

/** Waits until the backup has done `share` of its bytes (by its progress events), so a kill now lands mid-backup. */
async function waitForProgress(id: string, share: number): Promise<void> {
  const outcome = await waitFor(
    `backup ${id} past ${share * 100} %`,
    async () => {
      const events = await call('GET', `/v2/${PROJECT}/backups/${id}/events?limit=1000`);
      const progress = (events.body.events as { event: string; bytes_completed: number; total_bytes: number }[]).filter((e) => e.event === 'backup_progress');
      if (progress.some((e) => e.total_bytes > 0 && e.bytes_completed >= share * e.total_bytes)) return 'under way';
      return TERMINAL.includes((await job('backup', id)).state) ? 'ended' : undefined;
    },
    120_000,
    50,
  );
  const current = await job('backup', id);
  assert.ok(outcome === 'under way' && !TERMINAL.includes(current.state), `backup ${id} already ended (${current.state}): the tree is too small to land a kill mid-backup; raise COFFER_DR_TEST_MB`);
}

function writeFile(rel: string, bytes: number): void {
  const full = path.join(tree, rel);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  const handle = fs.openSync(full, 'w');
  // Incompressible and cheap: random blocks.
  for (let done = 0; done < bytes; done += 4 * 1024 * 1024) fs.writeSync(handle, randomBytes(Math.min(4 * 1024 * 1024, bytes - done)));
  fs.closeSync(handle);
}

function hashTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = path.join(rel, entry.name);
      if (entry.isDirectory()) visit(child);
      else
        out.set(
          child,
          createHash('sha256')
            .update(fs.readFileSync(path.join(dir, child)))
            .digest('hex'),
        );
    }
  };
  visit('');
  return out;
}

async function startBackup(): Promise<string> {
  const created = await call('POST', `/v2/${PROJECT}/backups`, { configuration_id: configurationId, state: 'start_requested' });
  assert.equal(created.status, 201, created.text);
  await waitForState('backup', created.body.id, ['in_progress'], 60_000);
  return created.body.id;
}

function startAgent(): void {
  agent = coffer(['agent', 'run', '--config', configPath], { COFFER_CA_FILE: tls.ca, COFFER_AGENT_RETRY_SECONDS: '300' }, 'agent.out');
}

function agentLogMatches(pattern: RegExp, since: number): boolean {
  return fs
    .readFileSync(path.join(work, 'agent.out'), 'utf8')
    .split('\n')
    .some((line) => pattern.test(line) && Date.parse(/"time":"([^"]+)"/.exec(line)?.[1] ?? '') >= since);
}

async function restartServer(signal: 'SIGTERM' | 'SIGKILL'): Promise<{ code: number | null }> {
  const old = server!;
  old.kill(signal);
  const { code } = await exited(old);
  assert.equal(await startServer(dataDir, port), api, 'the server is back at the same address');
  return { code };
}

describe('the API server is gone', { timeout: 900_000 }, () => {
  before(async () => {
    makeTestCa();
    dispatcher = new HttpsAgent({ connect: { ca: fs.readFileSync(tls.ca, 'utf8') } });
    const files = Math.max(4, Math.round(SIZE_MB / 8));
    for (let i = 0; i < files; i++) writeFile(`data/part-${String(i).padStart(3, '0')}.bin`, Math.round((SIZE_MB * 1024 * 1024) / files));
    writeFile('etc/small.conf', 1000);
    api = await startServer(dataDir, '0');
    port = new URL(api).port;
    const user = await call('POST', '/admin/users', { username: 'ops', password: 'ops-password-123', project_id: PROJECT, roles: ['cloudbackup:admin'] });
    assert.equal(user.status, 201, user.text);
  });

  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 200));
    await dispatcher?.close();
    if (!process.env.COFFER_E2E_KEEP) fs.rmSync(work, { recursive: true, force: true });
  });

  it('serves HTTPS that the CLI and the agent verify: refused without the CA, accepted with it', async () => {
    const home = { HOME: path.join(work, 'home'), XDG_CONFIG_HOME: path.join(work, 'home', '.config'), COFFER_PASSWORD: 'ops-password-123' };
    const untrusted = await runCoffer(['login', '--api', api, '--user', 'ops'], home);
    assert.equal(untrusted.code, 1, untrusted.output);
    assert.match(untrusted.output, /certificate is not trusted/);
    const trusted = await runCoffer(['--ca', tls.ca, 'login', '--api', api, '--user', 'ops'], home);
    assert.equal(trusted.code, 0, trusted.output);

    const refused = await runCoffer(['agent', 'register', '--api', api, '--user', 'ops', '--config', configPath], home);
    assert.equal(refused.code, 1, refused.output);
    assert.match(refused.output, /certificate is not trusted/);
    assert.equal(fs.existsSync(configPath), false, 'a refused registration writes nothing');
    const registered = await runCoffer(['agent', 'register', '--api', api, '--user', 'ops', '--config', configPath], { ...home, COFFER_CA_FILE: tls.ca });
    assert.equal(registered.code, 0, registered.output);
    agentId = JSON.parse(fs.readFileSync(configPath, 'utf8')).agentId;
    startAgent();
    const created = await call('POST', `/v2/${PROJECT}/configurations`, {
      agent_id: agentId,
      name: 'everything',
      enabled: true,
      schedule: null,
      retention: { days: 30 },
      inclusions: [{ type: 'folder', path: tree }],
      exclusions: [],
      notifications: [{ type: 'email', destination: 'ops@example.com', on_success: false, on_failure: true }],
    });
    assert.equal(created.status, 201, created.text);
    configurationId = created.body.id;
    await waitFor('the agent online', async () => ((await call('GET', `/v2/${PROJECT}/agents/${agentId}/status`)).body.online ? true : undefined), 60_000);
  });

  it('a backup rides out a SIGTERM restart of the server: the server drains and exits 0, the backup completes', async (t) => {
    const files = hashTree(tree);
    const id = await startBackup();
    await waitForProgress(id, 0.05);
    const cut = Date.now();
    const { code } = await restartServer('SIGTERM');
    assert.equal(code, 0, 'SIGTERM: the server drained and exited cleanly');
    const done = await waitForState('backup', id, TERMINAL, 600_000);
    assert.equal(done.state, 'completed', JSON.stringify(done.errors));
    assert.ok(agentLogMatches(/retrying/, cut), 'the agent had to retry through the restart (the restart landed mid-backup)');
    versions.push({ backupId: id, files });
    t.diagnostic(`backup of ${SIZE_MB} MB completed through a SIGTERM restart: ${done.bytes_backed_up} bytes stored`);
  });

  it('a backup rides out a SIGKILL restart of the server', async () => {
    writeFile('data/part-000.bin', 8 * 1024 * 1024);
    writeFile('data/part-001.bin', 8 * 1024 * 1024);
    writeFile('data/new-in-second.bin', SIZE_MB * 1024 * 1024);
    const files = hashTree(tree);
    const id = await startBackup();
    await waitForProgress(id, 0.05);
    const cut = Date.now();
    await restartServer('SIGKILL');
    const done = await waitForState('backup', id, TERMINAL, 600_000);
    assert.equal(done.state, 'completed', JSON.stringify(done.errors));
    assert.ok(agentLogMatches(/retrying/, cut), 'the agent had to retry through the restart');
    versions.push({ backupId: id, files });
  });

  it('the next cleanup is not blocked by a stale vault lock', async () => {
    const created = await call('POST', `/v2/${PROJECT}/cleanups`, { agent_id: agentId, state: 'start_requested' });
    assert.equal(created.status, 201, created.text);
    const done = await waitForState('cleanup', created.body.id, ['completed', 'completed_with_errors', 'failed', 'stopped'], 120_000);
    assert.equal(done.state, 'completed', JSON.stringify(done.errors));
  });

  it('an agent killed mid-backup: its job ends failed / agent_lost and its status says offline', async (t) => {
    writeFile('data/new-in-third.bin', SIZE_MB * 1024 * 1024);
    const id = await startBackup();
    await waitForProgress(id, 0.1);
    agent!.kill('SIGKILL');
    await exited(agent!);
    const killed = Date.now();
    const ended = await waitForState('backup', id, TERMINAL, (AGENT_LOST_SECONDS + 30) * 1000);
    const took = Date.now() - killed;
    assert.equal(ended.state, 'failed');
    assert.equal(ended.errors.reason, 'agent_lost');
    assert.ok(took >= (AGENT_LOST_SECONDS - 6) * 1000, `ended ${took} ms after the kill: not before the timeout`);
    const events = await call('GET', `/v2/${PROJECT}/backups/${id}/events?limit=1000`);
    assert.ok(
      events.body.events.some((e: { event: string }) => e.event === 'backup_failed'),
      'the end has its event',
    );
    const status = await call('GET', `/v2/${PROJECT}/agents/${agentId}/status`);
    assert.deepEqual(status.body, { busy: false, online: false });
    t.diagnostic(`kill -9 → failed/agent_lost after ${took} ms (COFFER_AGENT_LOST_SECONDS=${AGENT_LOST_SECONDS})`);
  });

  it('coffer server backup while it runs, the server lost, coffer server restore on a new data folder and port: every backup restores', async (t) => {
    assert.equal(versions.length, 2, 'both backups made it through the restarts');
    startAgent();
    await waitFor('the agent back online', async () => ((await call('GET', `/v2/${PROJECT}/agents/${agentId}/status`)).body.online ? true : undefined), 60_000);
    const copy = path.join(work, 'server-backup');
    const backedUp = await runCoffer(['server', 'backup', '--to', copy, '--data-dir', dataDir], { COFFER_TLS_CERT: tls.cert, COFFER_TLS_KEY: tls.key });
    assert.equal(backedUp.code, 0, backedUp.output);
    t.diagnostic(backedUp.output.trim().replace(/\n/g, ' | '));

    // The server is gone: process and data folder.
    agent!.kill('SIGTERM');
    await exited(agent!);
    server!.kill('SIGKILL');
    await exited(server!);
    fs.rmSync(dataDir, { recursive: true, force: true });

    const newDataDir = path.join(work, 'new-server-data');
    fs.mkdirSync(newDataDir);
    fs.writeFileSync(path.join(newDataDir, 'stray'), 'x');
    const intoUsed = await runCoffer(['server', 'restore', '--from', copy, '--data-dir', newDataDir]);
    assert.equal(intoUsed.code, 1, 'a data folder that holds anything is refused');
    assert.match(intoUsed.output, /not empty/);
    fs.rmSync(path.join(newDataDir, 'stray'));
    const restored = await runCoffer(['server', 'restore', '--from', copy, '--data-dir', newDataDir]);
    assert.equal(restored.code, 0, restored.output);
    const secrets = { ca: tls.ca, cert: path.join(newDataDir, 'secrets', 'tls-cert.pem'), key: path.join(newDataDir, 'secrets', 'tls-key.pem') };
    assert.equal(fs.statSync(secrets.key).mode & 0o777, 0o600);

    api = await startServer(newDataDir, '0', secrets);
    assert.notEqual(new URL(api).port, port, 'another port');
    const config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
    fs.writeFileSync(configPath, JSON.stringify({ ...config, api }, null, 2), { mode: 0o600 });
    startAgent();
    await waitFor('the agent online with the restored server', async () => ((await call('GET', `/v2/${PROJECT}/agents/${agentId}/status`)).body.online ? true : undefined), 60_000);

    for (const [index, version] of versions.entries()) {
      const backup = await job('backup', version.backupId);
      assert.equal(backup.restorable, true, `backup ${index + 1} is restorable`);
      const destination = path.join(work, `restored-${index + 1}`);
      const created = await call('POST', `/v2/${PROJECT}/restores`, {
        backup_id: version.backupId,
        destination_agent_id: agentId,
        destination_path: destination,
        overwrite_files: false,
        encrypted_password_hex: null,
        inclusions: [],
        exclusions: [],
      });
      assert.equal(created.status, 201, created.text);
      const done = await waitForState('restore', created.body.id, ['completed', 'completed_with_errors', 'failed', 'stopped'], 600_000);
      assert.equal(done.state, 'completed', JSON.stringify(done.errors));
      const got = hashTree(path.join(destination, tree));
      assert.deepEqual([...got.keys()].sort(), [...version.files.keys()].sort(), `backup ${index + 1}: the same files`);
      for (const [rel, sha] of version.files) assert.equal(got.get(rel), sha, `backup ${index + 1}: ${rel} byte for byte`);
      fs.rmSync(destination, { recursive: true, force: true });
    }
  });

  it("a deleted agent's daemon stops with one clear line instead of retrying", async () => {
    const deleted = await call('DELETE', `/v2/${PROJECT}/agents/${agentId}`);
    assert.equal(deleted.status, 204, deleted.text);
    const exit = await Promise.race([exited(agent!), new Promise<null>((resolve) => setTimeout(() => resolve(null), 120_000))]);
    assert.ok(exit, `the agent still runs 2 minutes after it was deleted\n${tail('agent.out')}`);
    assert.equal(exit.code, 3);
    const lines = fs
      .readFileSync(path.join(work, 'agent.out'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('coffer: '));
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, /^coffer: agent \S+ is no longer registered with the server/);
  });
});
