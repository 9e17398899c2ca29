import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { VaultHttpBackend } from '../../src/agent/vault-http-backend.js';
import { openVault } from '../../src/engine/vault/vault.js';
import { itemAt } from '../helpers/indexing.js';

/*
 * The whole system on real files: a server process and an agent process (each `node --import tsx`), talking HTTP.
 * The agent backs up a generated tree to the server's vault endpoint, restores it, cleans up, uploads its log and
 * runs tasks, driven only through the public API, the way an operator would. COFFER_E2E_KEEP=1 keeps the work
 * directory (logs of both processes) for a look after a failure.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ADMIN_TOKEN = `e2e-admin-${randomBytes(8).toString('hex')}`;
const PROJECT = '424242';
const DAY_MS = 86_400_000;
/** Short tokens: the agent has to renew its token several times during the run. */
const TOKEN_TTL_SECONDS = 8;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'coffer-agent-e2e-'));
const treeDir = path.join(work, 'tree');
const bigDir = path.join(work, 'big');
const restoreDir = path.join(work, 'restored');
const configPath = path.join(work, 'agent', 'agent.json');
const children = new Set<ChildProcess>();

let api = '';
let agentId = '';
let agentProcess: ChildProcess | undefined;
let treeConfigurationId = '';
let bigConfigurationId = '';
const backups: { scheduled?: any; second?: any } = {};

function node(args: string[], env: Record<string, string>, logName: string): ChildProcess {
  const log = fs.openSync(path.join(work, logName), 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', log] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  child.stdout!.on('data', (chunk: Buffer) => fs.appendFileSync(path.join(work, logName), chunk));
  return child;
}

let serverProcess: ChildProcess | undefined;

/** Starts the server on `port` (0: any) over the test's data directory and returns its URL. */
async function startServer(port: string): Promise<string> {
  const logName = `server-${Date.now()}.out`;
  serverProcess = node(
    ['src/main.ts', 'serve', '--port', port, '--data-dir', path.join(work, 'server-data')],
    { COFFER_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'warn', COFFER_TOKEN_TTL_SECONDS: String(TOKEN_TTL_SECONDS) },
    logName,
  );
  return waitFor(
    'the server to listen',
    async () => {
      const file = path.join(work, logName);
      const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
      return /listening on (http:\/\/\S+)/.exec(text)?.[1];
    },
    30_000,
    100,
  );
}

async function call(method: string, urlPath: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: any; text: string; headers: Headers }> {
  const response = await fetch(`${api}${urlPath}`, {
    method,
    headers: { 'x-auth-token': ADMIN_TOKEN, ...(body === undefined ? {} : { 'content-type': contentType }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // text/plain answers stay text
  }
  return { status: response.status, body: parsed, text, headers: response.headers };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n--- agent log (tail) ---\n${agentLogTail()}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function agentLogTail(): string {
  const file = path.join(work, 'agent.out');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').slice(-25).join('\n') : '(no agent log)';
}

const TERMINAL = ['completed', 'completed_with_errors', 'failed', 'stopped', 'skipped', 'missed'];

async function job(kind: string, id: string): Promise<any> {
  const answer = await call('GET', `/v2/${PROJECT}/${kind}s/${id}`);
  assert.equal(answer.status, 200, answer.text);
  return answer.body;
}

function waitForState(kind: string, id: string, states: string[], timeoutMs = 30_000): Promise<any> {
  return waitFor(
    `${kind} ${id} in ${states.join('|')}`,
    async () => {
      const current = await job(kind, id);
      return states.includes(current.state) ? current : undefined;
    },
    timeoutMs,
  );
}

function startAgent(clockOffsetMs: number): void {
  // A secret in the agent's environment, as an operator might leave one: tasks must not see it.
  agentProcess = node(['src/main.ts', 'agent', 'run', '--config', configPath], { COFFER_AGENT_CLOCK_OFFSET_MS: String(clockOffsetMs), COFFER_PASSWORD: 'ops-password-123' }, 'agent.out');
}

async function startBackup(configurationId: string): Promise<string> {
  const created = await call('POST', `/v2/${PROJECT}/backups`, { configuration_id: configurationId, state: 'start_requested' });
  assert.equal(created.status, 201, created.text);
  return created.body.id;
}

/** What a console does to hand the agent a password: RSA-encrypt it with the agent's registered public key. */
async function encryptForAgent(password: string): Promise<string> {
  const agent = await call('GET', `/v2/${PROJECT}/agents/${agentId}`);
  const { modulus, exponent } = agent.body.rsa_public_key as { modulus: string; exponent: number };
  const e = Buffer.from(exponent.toString(16).padStart(6, '0'), 'hex');
  const key = createPublicKey({ key: { kty: 'RSA', n: Buffer.from(modulus, 'hex').toString('base64url'), e: e.toString('base64url') }, format: 'jwk' });
  return publicEncrypt(key, Buffer.from(password)).toString('hex');
}

/** POSTs a request that the agent answers, then reads its result (at the Location given) once the agent reported. */
async function askAgent(urlPath: string, body: unknown): Promise<any> {
  const asked = await call('POST', urlPath, body);
  assert.equal(asked.status, 202, asked.text);
  const resultPath = new URL(asked.headers.get('location') ?? '', api).pathname;
  return waitFor(
    `the answer to ${urlPath}`,
    async () => {
      const result = await call('GET', resultPath);
      return result.status === 200 ? result.body : undefined;
    },
    15_000,
  );
}

function writeTree(): void {
  const file = (rel: string, data: Buffer | string, mode = 0o644) => {
    const full = path.join(treeDir, rel);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, data);
    fs.chmodSync(full, mode);
  };
  file('docs/readme.txt', 'Coffer end-to-end tree\n'.repeat(200));
  file('docs/run.sh', '#!/bin/sh\necho run\n', 0o755);
  file('docs/secret.txt', 'only for the owner\n', 0o600);
  file('data/big.bin', randomBytes(6 * 1024 * 1024));
  file('data/medium.bin', randomBytes(1024 * 1024));
  file('empty.txt', '');
  file('nested/deep/er/leaf.txt', 'leaf\n');
  fs.symlinkSync('docs/readme.txt', path.join(treeDir, 'link-to-readme'));
  fs.symlinkSync('/nonexistent/target', path.join(treeDir, 'dangling-link'));
  fs.chmodSync(path.join(treeDir, 'nested/deep'), 0o700);
  const past = new Date('2021-03-04T05:06:07.000Z');
  for (const rel of ['docs/readme.txt', 'docs/run.sh', 'data/medium.bin', 'nested/deep/er/leaf.txt', 'nested/deep/er']) fs.utimesSync(path.join(treeDir, rel), past, past);
  // The big tree: enough data that a backup of it is still running when it is stopped or killed.
  fs.mkdirSync(bigDir);
  for (let i = 0; i < 24; i++) fs.writeFileSync(path.join(bigDir, `part-${i}.bin`), randomBytes(8 * 1024 * 1024));
}

interface Entry {
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  mtimeMs: number;
  sha?: string;
  target?: string;
}

function describeTree(dir: string): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const visit = (rel: string) => {
    const full = path.join(dir, rel);
    const st = fs.lstatSync(full);
    const entry: Entry = { type: st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : 'file', mode: st.mode & 0o7777, mtimeMs: Math.floor(st.mtimeMs) };
    if (entry.type === 'symlink') {
      entry.target = fs.readlinkSync(full);
      entry.mode = 0;
      entry.mtimeMs = 0;
    }
    if (entry.type === 'file') entry.sha = createHash('sha256').update(fs.readFileSync(full)).digest('hex');
    if (rel !== '') out.set(rel, entry);
    if (entry.type === 'dir') for (const name of fs.readdirSync(full).sort()) visit(path.join(rel, name));
  };
  visit('');
  return out;
}

async function createConfiguration(name: string, folder: string, schedule: unknown): Promise<string> {
  const created = await call('POST', `/v2/${PROJECT}/configurations`, {
    agent_id: agentId,
    name,
    enabled: true,
    schedule,
    retention: { days: 1 },
    inclusions: [{ type: 'folder', path: folder }],
    exclusions: [],
    notifications: [{ type: 'email', destination: 'ops@example.com', on_success: false, on_failure: true }],
  });
  assert.equal(created.status, 201, created.text);
  return created.body.id;
}

describe('coffer agent end to end', { timeout: 180_000 }, () => {
  before(async () => {
    writeTree();
    api = await startServer('0');
    const user = await call('POST', '/admin/users', { username: 'ops', password: 'ops-password-123', project_id: PROJECT, roles: ['cloudbackup:admin'] });
    assert.equal(user.status, 201, user.text);
  });

  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 200));
    if (!process.env.COFFER_E2E_KEEP) fs.rmSync(work, { recursive: true, force: true });
  });

  it('registers the host once, keeping its secrets in a file only its owner can read', async () => {
    const register = node(['src/main.ts', 'agent', 'register', '--api', api, '--user', 'ops', '--config', configPath, '--allow-tasks'], { COFFER_PASSWORD: 'ops-password-123' }, 'register.out');
    const code = await new Promise((resolve) => register.on('exit', resolve));
    assert.equal(code, 0, fs.readFileSync(path.join(work, 'register.out'), 'utf8'));
    assert.equal(fs.statSync(configPath).mode & 0o777, 0o600);
    const config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
    agentId = config.agentId;
    assert.ok(config.password && config.fingerprint && config.vaultPassword && config.machineId);
    const agents = await call('GET', `/v2/${PROJECT}/agents`);
    assert.deepEqual(
      agents.body.agents.map((a: { id: string }) => a.id),
      [agentId],
    );
    const again = node(['src/main.ts', 'agent', 'register', '--api', api, '--user', 'ops', '--config', configPath], { COFFER_PASSWORD: 'ops-password-123' }, 'register.out');
    assert.equal(await new Promise((resolve) => again.on('exit', resolve)), 1, 'a second registration of the same host is refused');
  });

  it('runs a scheduled backup by itself at the configuration time, by its own clock', async () => {
    // A daily schedule a few minutes ahead; the agent's clock is set just before it, so it fires in seconds.
    const at = new Date(Date.now() + 3 * 60_000);
    treeConfigurationId = await createConfiguration('tree', treeDir, {
      recurrence: [`RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=${at.getUTCHours()};BYMINUTE=${at.getUTCMinutes()}`],
      time_zone: 'UTC',
    });
    const document = await call('GET', `/v2/${PROJECT}/agents/${agentId}/configuration`);
    const times: string[] = document.body.configurations.find((c: { id: string }) => c.id === treeConfigurationId).times;
    const firstTime = Date.parse(itemAt(times, 0));
    startAgent(firstTime - Date.now() - 4_000);

    const scheduled = await waitFor(
      'the scheduled backup',
      async () => {
        const list = await call('GET', `/v2/${PROJECT}/backups?configuration_id=${treeConfigurationId}`);
        return list.body.backups?.[0];
      },
      40_000,
      200,
    );
    const done = await waitForState('backup', scheduled.id, TERMINAL, 60_000);
    assert.equal(done.state, 'completed', JSON.stringify(done.errors));
    assert.ok(Number.isSafeInteger(done.snapshot_id) && done.snapshot_id > 0);
    assert.equal(done.restorable, true);
    assert.equal(done.files_searched, 7);
    assert.ok(done.bytes_searched > 7 * 1024 * 1024);
    assert.ok(done.bytes_backed_up > 7 * 1024 * 1024, `first backup stored ${done.bytes_backed_up} bytes`);
    backups.scheduled = done;
    const status = await call('GET', `/v2/${PROJECT}/agents/${agentId}/status`);
    assert.equal(status.body.online, true);
    // From now on the configuration is manual-only, so nothing else starts by itself during the test.
    const patched = await call('PATCH', `/v2/${PROJECT}/configurations/${treeConfigurationId}`, [{ op: 'replace', path: '/schedule', value: null }], 'application/json-patch+json');
    assert.equal(patched.status, 204, patched.text);
  });

  it('backs up only the difference after a file changed', async (t) => {
    const big = path.join(treeDir, 'data/big.bin');
    const handle = fs.openSync(big, 'r+');
    fs.writeSync(handle, randomBytes(4096), 0, 4096, 3 * 1024 * 1024);
    fs.closeSync(handle);
    fs.writeFileSync(path.join(treeDir, 'docs/new.txt'), 'a new file\n');
    const id = await startBackup(treeConfigurationId);
    const done = await waitForState('backup', id, TERMINAL);
    assert.equal(done.state, 'completed', JSON.stringify(done.errors));
    assert.equal(done.files_backed_up, 2, 'the changed file and the new one');
    assert.ok(done.bytes_backed_up < backups.scheduled.bytes_backed_up / 3, `second backup stored ${done.bytes_backed_up} of ${backups.scheduled.bytes_backed_up} bytes`);
    assert.notEqual(done.snapshot_id, backups.scheduled.snapshot_id);
    backups.second = done;
    t.diagnostic(`first backup stored ${backups.scheduled.bytes_backed_up} bytes, the second ${done.bytes_backed_up}`);
  });

  it('restores to another directory byte for byte, with modes, mtimes and symlinks', async () => {
    const created = await call('POST', `/v2/${PROJECT}/restores`, {
      backup_id: backups.second.id,
      destination_agent_id: agentId,
      destination_path: restoreDir,
      overwrite_files: false,
      encrypted_password_hex: null,
      inclusions: [],
      exclusions: [],
    });
    assert.equal(created.status, 201, created.text);
    const done = await waitForState('restore', created.body.id, ['completed', 'completed_with_errors', 'failed', 'stopped']);
    assert.equal(done.state, 'completed', JSON.stringify(done.errors));
    assert.equal(done.files_restored, 8);
    const original = describeTree(treeDir);
    const restored = describeTree(path.join(restoreDir, treeDir));
    assert.deepEqual([...restored.keys()], [...original.keys()]);
    for (const [rel, entry] of original) assert.deepEqual(restored.get(rel), entry, rel);
  });

  it('lists the files it could not write, and ends completed_with_errors when the rest succeeded', async () => {
    // Where the restore wants the folder docs/ there is already a file: its four files cannot be written.
    const target = path.join(work, 'restored-conflict');
    fs.mkdirSync(path.join(target, treeDir), { recursive: true });
    fs.writeFileSync(path.join(target, treeDir, 'docs'), 'in the way\n');
    const created = await call('POST', `/v2/${PROJECT}/restores`, {
      backup_id: backups.second.id,
      destination_agent_id: agentId,
      destination_path: target,
      overwrite_files: false,
      encrypted_password_hex: null,
      inclusions: [],
      exclusions: [],
    });
    assert.equal(created.status, 201, created.text);
    const done = await waitForState('restore', created.body.id, ['completed', 'completed_with_errors', 'failed', 'stopped']);
    assert.equal(done.state, 'completed_with_errors');
    const errors = await call('GET', `/v2/${PROJECT}/restores/${created.body.id}/errors`);
    assert.equal(errors.status, 200, errors.text);
    assert.ok(errors.body.count >= 1);
    assert.equal(errors.body.reason, 'unable_to_process_some_files');
    for (const entry of errors.body.list) {
      assert.ok(entry.path.startsWith(path.join(treeDir, 'docs')), entry.path);
      assert.equal(entry.type, 'write_failed');
      assert.ok(entry.exception.description.length > 0);
    }
    assert.deepEqual(fs.readFileSync(path.join(target, treeDir, 'data/medium.bin')), fs.readFileSync(path.join(treeDir, 'data/medium.bin')));
  });

  it('uploads its log file on request; the temporary link downloads it', async () => {
    const requested = await call('POST', `/v2/${PROJECT}/agents/${agentId}/logfiles`);
    assert.equal(requested.status, 202, requested.text);
    const logfile = await waitFor('the log file upload', async () => {
      const current = await call('GET', `/v2/${PROJECT}/agents/${agentId}/logfiles/${requested.body.id}`);
      return current.body.state === 'completed' ? current.body : undefined;
    });
    const link = logfile.links.find((l: { rel: string }) => l.rel === 'logfile_temp_url').href;
    const download = await fetch(link);
    assert.equal(download.status, 200);
    const text = gunzipSync(Buffer.from(await download.arrayBuffer())).toString('utf8');
    assert.match(text, /"msg":"agent started"/);
    assert.match(text, new RegExp(backups.second.id));
  });

  it('runs tasks with their output visible, one on a restored backup, and cancels a long one', async (t) => {
    const echo = await call('POST', `/v3/agents/${agentId}/tasks`, { command: 'echo "coffer says $((6 * 7))"; pwd' });
    assert.equal(echo.status, 202, echo.text);
    const finished = await waitFor('the echo task', async () => {
      const task = await call('GET', `/v3/tasks/${echo.body.guid}`);
      return ['SUCCEEDED', 'FAILED'].includes(task.body.state) ? task.body : undefined;
    });
    assert.equal(finished.state, 'SUCCEEDED', JSON.stringify(finished.result));
    const output = await call('GET', `/v3/tasks/${echo.body.guid}/output`);
    assert.match(output.text, /coffer says 42/);

    // With a droplet (a backup of the agent), the command runs in a scratch directory holding that backup.
    const withBackup = await call('POST', `/v3/agents/${agentId}/tasks`, { command: `sha256sum .${treeDir}/data/medium.bin`, droplet_guid: backups.second.id });
    assert.equal(withBackup.status, 202, withBackup.text);
    const checked = await waitFor('the task on a restored backup', async () => {
      const task = await call('GET', `/v3/tasks/${withBackup.body.guid}`);
      return ['SUCCEEDED', 'FAILED'].includes(task.body.state) ? task.body : undefined;
    });
    assert.equal(checked.state, 'SUCCEEDED', JSON.stringify(checked.result));
    const medium = createHash('sha256')
      .update(fs.readFileSync(path.join(treeDir, 'data/medium.bin')))
      .digest('hex');
    assert.match((await call('GET', `/v3/tasks/${withBackup.body.guid}/output`)).text, new RegExp(medium));

    const sleeper = await call('POST', `/v3/agents/${agentId}/tasks`, { command: 'sleep 60' });
    await waitFor('the sleep task to run', async () => ((await call('GET', `/v3/tasks/${sleeper.body.guid}`)).body.state === 'RUNNING' ? true : undefined));
    const cancelAsked = Date.now();
    const cancel = await call('POST', `/v3/tasks/${sleeper.body.guid}/actions/cancel`);
    assert.equal(cancel.status, 202, cancel.text);
    const cancelled = await waitFor(
      'the cancelled task to fail',
      async () => {
        const task = await call('GET', `/v3/tasks/${sleeper.body.guid}`);
        return task.body.state === 'FAILED' ? task.body : undefined;
      },
      10_000,
    );
    assert.equal(cancelled.result.failure_reason, 'task was cancelled');
    const cancelTook = Date.now() - cancelAsked;
    assert.ok(cancelTook < 5_000);
    t.diagnostic(`task cancel → FAILED in ${cancelTook} ms`);
  });

  it("runs tasks as an unprivileged user that cannot read the agent's credentials or environment", async () => {
    const run = async (command: string) => {
      const created = await call('POST', `/v3/agents/${agentId}/tasks`, { command });
      assert.equal(created.status, 202, created.text);
      const task = await waitFor(command, async () => {
        const current = await call('GET', `/v3/tasks/${created.body.guid}`);
        return ['SUCCEEDED', 'FAILED'].includes(current.body.state) ? current.body : undefined;
      });
      return { task, output: (await call('GET', `/v3/tasks/${created.body.guid}/output`)).text };
    };
    const who = await run('id -un; id -u; env');
    assert.equal(who.task.state, 'SUCCEEDED');
    assert.match(who.output, /^nobody$/m);
    assert.doesNotMatch(who.output, /^0$/m);
    assert.doesNotMatch(who.output, /ops-password-123|COFFER_PASSWORD|COFFER_AGENT/);
    for (const target of [configPath, path.dirname(configPath)]) {
      const steal = await run(`cat ${target} || ls ${target}`);
      assert.equal(steal.task.state, 'FAILED', `${target}: ${steal.output}`);
      assert.match(steal.output, /Permission denied/);
      assert.doesNotMatch(steal.output, /vaultPassword|password/i);
    }
    const asRoot = await call('POST', `/v3/agents/${agentId}/tasks`, { command: 'id', user: 'root' });
    const refused = await waitFor('the root task', async () => {
      const current = await call('GET', `/v3/tasks/${asRoot.body.guid}`);
      return current.body.state === 'FAILED' ? current.body : undefined;
    });
    assert.match(refused.result.failure_reason, /^refused by the agent: this agent runs tasks as "nobody"; user "root" is not in the host's list/);
  });

  it('reconnects after the server was down and goes on working', async () => {
    const port = new URL(api).port;
    serverProcess!.kill('SIGTERM');
    await new Promise((resolve) => serverProcess!.once('exit', resolve));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal(await startServer(port), api);
    // Work created after the restart reaches the agent through its new long poll.
    const task = await call('POST', `/v3/agents/${agentId}/tasks`, { command: 'echo back again' });
    assert.equal(task.status, 202, task.text);
    const finished = await waitFor(
      'the task after the restart',
      async () => {
        const current = await call('GET', `/v3/tasks/${task.body.guid}`);
        return ['SUCCEEDED', 'FAILED'].includes(current.body.state) ? current.body : undefined;
      },
      30_000,
    );
    assert.equal(finished.state, 'SUCCEEDED');
    assert.match((await call('GET', `/v3/tasks/${task.body.guid}/output`)).text, /back again/);
  });

  it('stops a running backup when a user asks, within 2 seconds, after progress events', async (t) => {
    bigConfigurationId = await createConfiguration('big', bigDir, null);
    const id = await startBackup(bigConfigurationId);
    await waitForState('backup', id, ['in_progress'], 30_000);
    assert.deepEqual((await call('GET', `/v2/${PROJECT}/agents/${agentId}/status`)).body, { busy: true, online: true });
    await waitFor(
      'a progress event',
      async () => {
        const events = await call('GET', `/v2/${PROJECT}/backups/${id}/events`);
        return events.body.events?.find((e: { event: string }) => e.event === 'backup_progress');
      },
      10_000,
      50,
    );
    const asked = Date.now();
    const stop = await call('PATCH', `/v2/${PROJECT}/backups/${id}`, [{ op: 'replace', path: '/state', value: 'stop_requested' }], 'application/json-patch+json');
    assert.equal(stop.status, 204, stop.text);
    const stopped = await waitForState('backup', id, TERMINAL, 10_000);
    const took = Date.now() - asked;
    assert.equal(stopped.state, 'stopped');
    assert.ok(took <= 2_000, `stopped after ${took} ms`);
    t.diagnostic(`stop_requested → stopped in ${took} ms`);
  });

  it('comes back after being killed mid-backup and ends that job', async () => {
    const id = await startBackup(bigConfigurationId);
    await waitForState('backup', id, ['in_progress'], 30_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The first agent process has been running longer than its token lives: it renewed it on its own.
    const logins = fs
      .readFileSync(path.join(work, 'agent.out'), 'utf8')
      .split('\n')
      .filter((line) => line.includes(`"pid":${agentProcess!.pid},`) && line.includes('"msg":"logged in"'));
    assert.ok(logins.length >= 2, `the agent logged in ${logins.length} time(s)`);
    agentProcess!.kill('SIGKILL');
    await new Promise((resolve) => agentProcess!.once('exit', resolve));
    assert.equal((await job('backup', id)).state, 'in_progress');
    // Back two days later by its clock: retention is judged by the server, so the agent's clock does not matter to it.
    startAgent(2 * DAY_MS);
    const ended = await waitForState('backup', id, TERMINAL, 30_000);
    assert.equal(ended.state, 'failed');
    assert.equal(ended.errors.reason, 'agent_restarted');
  });

  it('cleans up by retention: the dry run says the first snapshot goes, and the cleanup removes exactly that', async (t) => {
    const policy = await call(
      'PATCH',
      `/v2/${PROJECT}/configurations/${treeConfigurationId}`,
      [{ op: 'replace', path: '/retention', value: { days: 0, keep_last: 1 } }],
      'application/json-patch+json',
    );
    assert.equal(policy.status, 204, policy.text);
    const dryRun = await call('GET', `/v2/${PROJECT}/configurations/${treeConfigurationId}/retention`);
    assert.equal(dryRun.status, 200, dryRun.text);
    assert.deepEqual(
      dryRun.body.keep.map((k: { backup: { id: string }; reasons: unknown }) => [k.backup.id, k.reasons]),
      [[backups.second.id, [{ rule: 'keep_last' }]]],
    );
    assert.deepEqual(
      dryRun.body.remove.map((r: { backup: { id: string } }) => r.backup.id),
      [backups.scheduled.id],
    );
    // The backups list already agrees with the policy: the backup it lets go is no longer restorable.
    const restorable = await call('GET', `/v2/${PROJECT}/backups?restorable=true&configuration_id=${treeConfigurationId}`);
    assert.deepEqual(
      restorable.body.backups.map((b: { id: string }) => b.id),
      [backups.second.id],
    );
    const created = await call('POST', `/v2/${PROJECT}/cleanups`, { agent_id: agentId, state: 'start_requested' });
    assert.equal(created.status, 201, created.text);
    const done = await waitForState('cleanup', created.body.id, ['completed', 'completed_with_errors', 'failed', 'stopped'], 60_000);
    assert.equal(done.state, 'completed', JSON.stringify(done.errors));
    assert.deepEqual(
      done.snapshot_ids,
      dryRun.body.remove.map((r: { snapshot_id: number }) => r.snapshot_id),
    );
    assert.deepEqual(done.snapshot_ids, [backups.scheduled.snapshot_id]);
    const after = await call('GET', `/v2/${PROJECT}/configurations/${treeConfigurationId}/retention`);
    assert.deepEqual(after.body.remove, [], 'nothing left for the policy to let go');
    assert.ok(done.bytes_before > done.bytes_after, `before ${done.bytes_before}, after ${done.bytes_after}`);
    assert.ok(done.bytes_after > 7 * 1024 * 1024, 'the second snapshot keeps its data');
    t.diagnostic(`cleanup removed snapshot ${done.snapshot_ids.join(', ')}: ${done.bytes_before} → ${done.bytes_after} bytes`);
    // The second backup still restores.
    const again = await call('POST', `/v2/${PROJECT}/restores`, {
      backup_id: backups.second.id,
      destination_agent_id: agentId,
      destination_path: path.join(work, 'restored-again'),
      overwrite_files: false,
      encrypted_password_hex: null,
      inclusions: [{ type: 'file', path: path.join(treeDir, 'data/big.bin') }],
      exclusions: [],
    });
    assert.equal(again.status, 201, again.text);
    const restore = await waitForState('restore', again.body.id, ['completed', 'completed_with_errors', 'failed', 'stopped']);
    assert.equal(restore.state, 'completed', JSON.stringify(restore.errors));
    assert.deepEqual(fs.readFileSync(path.join(work, 'restored-again', treeDir, 'data/big.bin')), fs.readFileSync(path.join(treeDir, 'data/big.bin')));
  });

  it('answers host and backup browse requests', async () => {
    const host = await askAgent(`/v2/${PROJECT}/agents/${agentId}/browse-requests`, { path: treeDir });
    assert.equal(host.succeeded, true);
    const byName = new Map(host.items.map((item: { name: string }) => [item.name, item]));
    assert.deepEqual([...byName.keys()].sort(), ['dangling-link', 'data', 'docs', 'empty.txt', 'link-to-readme', 'nested']);
    assert.equal((byName.get('link-to-readme') as { mime_type: string }).mime_type, 'application/x-symlink-file');
    const inBackup = await askAgent(`/v2/${PROJECT}/backups/${backups.second.id}/browse-requests`, { agent_id: agentId, encrypted_password_hex: null, path: path.join(treeDir, 'docs') });
    assert.equal(inBackup.succeeded, true);
    const readme = inBackup.items.find((item: { name: string }) => item.name === 'readme.txt');
    assert.equal(readme.bytes, fs.statSync(path.join(treeDir, 'docs/readme.txt')).size);
    assert.deepEqual(inBackup.items.map((item: { name: string }) => item.name).sort(), ['new.txt', 'readme.txt', 'run.sh', 'secret.txt']);
  });

  it('adds a user password to the vault on request and verifies passwords; the server alone cannot open the vault', async () => {
    const vaultId = (await call('GET', `/v2/${PROJECT}/agents/${agentId}`)).body.vault.id;
    const asAdmin = () => new VaultHttpBackend({ url: `${api}/vaults/${vaultId}`, tokens: { token: async () => ADMIN_TOKEN, refresh: async () => ADMIN_TOKEN } });
    await assert.rejects(openVault(asAdmin(), 'user-chosen password'), /password/i);
    const enabled = await askAgent(`/v2/${PROJECT}/agents/${agentId}/vault-encryption-requests`, {
      old_encrypted_password_hex: null,
      new_encrypted_password_hex: await encryptForAgent('user-chosen password'),
    });
    assert.equal(enabled.succeeded, true);
    assert.equal((await call('GET', `/v2/${PROJECT}/agents/${agentId}`)).body.vault.encrypted, true);
    const right = await askAgent(`/v2/${PROJECT}/agents/${agentId}/vault-password-verification-requests`, { encrypted_password_hex: await encryptForAgent('user-chosen password'), agent_id: null });
    assert.equal(right.valid, true);
    const wrong = await askAgent(`/v2/${PROJECT}/agents/${agentId}/vault-password-verification-requests`, { encrypted_password_hex: await encryptForAgent('a wrong guess'), agent_id: null });
    assert.equal(wrong.valid, false);
    // With that password (and read access) the vault opens from anywhere: the snapshots are there.
    const vault = await openVault(asAdmin(), 'user-chosen password');
    assert.equal((await vault.listSnapshots()).length, 1, 'the second snapshot, after the cleanup');
  });

  it('leaves out what the configuration excludes by pattern, marker and cache tag, and restores hard links and extended attributes', async () => {
    const home = path.join(work, 'home');
    const files: Record<string, string> = {
      'notes.txt': 'notes',
      'app.log': 'a log',
      'project/node_modules/dep.js': 'dependency',
      'project/src/main.ts': 'main',
      'secret/.nobackup': '',
      'secret/key.pem': 'key',
      'cache/CACHEDIR.TAG': 'Signature: 8a477f597d28d172789f06886806bc55\n',
      'cache/blob': 'cached',
    };
    for (const [rel, data] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(home, rel)), { recursive: true });
      fs.writeFileSync(path.join(home, rel), data);
    }
    fs.linkSync(path.join(home, 'notes.txt'), path.join(home, 'project/notes-link.txt'));
    execFileSync('setfattr', ['-n', 'user.origin', '-v', 'e2e', path.join(home, 'notes.txt')]);
    const created = await call('POST', `/v2/${PROJECT}/configurations`, {
      agent_id: agentId,
      name: 'home with exclusions',
      enabled: true,
      schedule: null,
      retention: { days: 1 },
      inclusions: [{ type: 'folder', path: home }],
      exclusions: [{ type: 'pattern', path: '*.log' }, { type: 'pattern', path: '**/node_modules' }, { type: 'if_present', path: '.nobackup' }, { type: 'caches' }],
      notifications: [{ type: 'email', destination: 'ops@example.com', on_success: false, on_failure: true }],
    });
    assert.equal(created.status, 201, created.text);
    const backup = await waitForState('backup', await startBackup(created.body.id), TERMINAL);
    assert.equal(backup.state, 'completed', JSON.stringify(backup.errors));
    const target = path.join(work, 'home-restored');
    const restore = await call('POST', `/v2/${PROJECT}/restores`, {
      backup_id: backup.id,
      destination_agent_id: agentId,
      destination_path: target,
      overwrite_files: false,
      // The test before made the vault private with this password.
      encrypted_password_hex: await encryptForAgent('user-chosen password'),
      inclusions: [],
      exclusions: [],
    });
    assert.equal(restore.status, 201, restore.text);
    const restored = await waitForState('restore', restore.body.id, ['completed', 'completed_with_errors', 'failed', 'stopped']);
    assert.equal(restored.state, 'completed', JSON.stringify(restored.errors));
    const back = path.join(target, home);
    const found = fs
      .readdirSync(back, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.relative(back, path.join(e.parentPath, e.name)))
      .sort();
    assert.deepEqual(found, ['notes.txt', 'project/notes-link.txt', 'project/src/main.ts']);
    for (const rel of ['notes.txt', 'project/src/main.ts']) assert.equal(fs.readFileSync(path.join(back, rel), 'utf8'), files[rel]);
    assert.equal(fs.statSync(path.join(back, 'notes.txt')).ino, fs.statSync(path.join(back, 'project/notes-link.txt')).ino, 'a hard link again');
    assert.equal(execFileSync('getfattr', ['--only-values', '-n', 'user.origin', path.join(back, 'notes.txt')], { encoding: 'utf8' }), 'e2e');
  });
});
