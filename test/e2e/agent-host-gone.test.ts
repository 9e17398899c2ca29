import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeHome, REPO_ROOT, runCoffer } from '../cli/run-coffer.js';

/*
 * The runbook "an agent host is gone" (docs/disaster-recovery.md), step by step as an operator runs it: a real server
 * process, real agent processes and the coffer CLI. Host A backs up a generated tree, then A's agent is killed and
 * its folder deleted. A new agent B on a fresh folder restores A's backup with no password (server-held key); a
 * private agent's backup is restored onto B with its vault password, and a wrong password is refused before anything
 * is written; finally a replacement host takes over A's vault with `--replace` and its next backup deduplicates.
 */

const ADMIN_TOKEN = `dr-admin-${randomBytes(8).toString('hex')}`;
const PROJECT = '737373';
const PASSWORD = 'ops-password-123';
const VAULT_PASSWORD = 'the-operators-vault-password';

let home: ReturnType<typeof makeHome>;
let api = '';
let server: ChildProcess | undefined;
const agents = new Map<string, ChildProcess>();
let treeDir = '';

const coffer = (args: string[], env: Record<string, string> = {}) => runCoffer(args, { home: home.home, env: { COFFER_PASSWORD: PASSWORD, ...env }, timeoutMs: 120_000 });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const hostDir = (name: string) => path.join(home.home, 'hosts', name);
const configOf = (name: string) => path.join(hostDir(name), 'agent.json');

function spawnNode(args: string[], env: Record<string, string>, logFile: string): ChildProcess {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, HOME: home.home, XDG_CONFIG_HOME: path.join(home.home, 'config'), ...env };
  delete childEnv.NODE_TEST_CONTEXT;
  const log = fs.openSync(logFile, 'a');
  return spawn(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(REPO_ROOT, 'src', 'main.ts'), ...args], { cwd: home.home, env: childEnv, stdio: ['ignore', log, log] });
}

async function call(method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: any; text: string }> {
  const response = await fetch(`${api}${urlPath}`, {
    method,
    headers: { 'x-auth-token': ADMIN_TOKEN, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, text };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

async function registerHost(name: string, extra: string[] = []): Promise<string> {
  fs.mkdirSync(hostDir(name), { recursive: true });
  const registered = await coffer(['agent', 'register', '--api', api, '--user', 'ops', '--name', name, '--config', configOf(name), ...extra]);
  assert.equal(registered.code, 0, registered.stderr + registered.stdout);
  return registered.stdout;
}

async function runHost(name: string): Promise<void> {
  agents.set(name, spawnNode(['agent', 'run', '--config', configOf(name)], {}, path.join(home.home, `${name}.out`)));
  await waitFor(`${name} online`, async () => {
    const listed = JSON.parse((await coffer(['agents', '--json'])).stdout).agents;
    return listed.some((a: any) => a.name === name && a.status?.online) ? true : undefined;
  });
}

/** The host is gone: its agent dies at once and its folder (configuration, keys, state) is deleted. */
async function destroyHost(name: string): Promise<void> {
  const child = agents.get(name)!;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  agents.delete(name);
  fs.rmSync(hostDir(name), { recursive: true, force: true });
}

async function backUp(config: string): Promise<string> {
  const backup = await coffer(['backup', 'start', config, '--watch', '--json']);
  assert.equal(backup.code, 0, backup.stderr + backup.stdout);
  const job = JSON.parse(backup.stdout);
  assert.equal(job.state, 'completed');
  return job.id;
}

async function agentNamed(name: string): Promise<any> {
  return JSON.parse((await coffer(['agents', 'show', name, '--json'])).stdout);
}

/** Bytes the vault holds on the server (listed by the admin, who may read any vault of the project). */
async function vaultBytes(vaultId: string): Promise<number> {
  const listed = await call('GET', `/vaults/${vaultId}/files?prefix=`);
  assert.equal(listed.status, 200, listed.text);
  return listed.body.files.reduce((sum: number, f: { size: number }) => sum + f.size, 0);
}

function writeTree(dir: string): void {
  const file = (rel: string, data: Buffer | string, mode = 0o644) => {
    const full = path.join(dir, rel);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, data);
    fs.chmodSync(full, mode);
  };
  file('docs/readme.txt', 'Coffer disaster recovery tree\n'.repeat(300));
  file('docs/run.sh', '#!/bin/sh\necho run\n', 0o755);
  file('docs/secret.txt', 'only for the owner\n', 0o600);
  file('data/photo.bin', randomBytes(3 * 1024 * 1024));
  file('data/notes.bin', randomBytes(256 * 1024));
  file('empty.txt', '');
  file('nested/deep/leaf.txt', 'leaf\n');
  fs.symlinkSync('docs/readme.txt', path.join(dir, 'link-to-readme'));
  fs.symlinkSync('/nonexistent/target', path.join(dir, 'dangling-link'));
  fs.chmodSync(path.join(dir, 'nested/deep'), 0o700);
}

/** Every entry below `dir`: type, permission bits, content hash or link target (diff -r plus modes and links). */
function describeTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (rel: string) => {
    const full = path.join(dir, rel);
    const st = fs.lstatSync(full);
    let entry: string;
    if (st.isSymbolicLink()) entry = `link -> ${fs.readlinkSync(full)}`;
    else if (st.isDirectory()) entry = `dir ${(st.mode & 0o7777).toString(8)}`;
    else entry = `file ${(st.mode & 0o7777).toString(8)} ${createHash('sha256').update(fs.readFileSync(full)).digest('hex')}`;
    if (rel !== '') out.set(rel, entry);
    if (st.isDirectory()) for (const name of fs.readdirSync(full).sort()) visit(path.join(rel, name));
  };
  visit('');
  return out;
}

function assertSameTree(restoredRoot: string): void {
  assert.deepEqual(describeTree(path.join(restoredRoot, treeDir)), describeTree(treeDir));
}

before(async () => {
  home = makeHome();
  treeDir = path.join(home.home, 'www');
  writeTree(treeDir);
  const serverLog = path.join(home.home, 'server.out');
  server = spawnNode(['serve', '--port', '0', '--data-dir', path.join(home.home, 'server-data')], { COFFER_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'warn' }, serverLog);
  api = await waitFor('the server to listen', async () => /listening on (http:\/\/\S+)/.exec(fs.existsSync(serverLog) ? fs.readFileSync(serverLog, 'utf8') : '')?.[1]);
  const user = await call('POST', '/admin/users', { username: 'ops', password: PASSWORD, project_id: PROJECT, roles: ['cloudbackup:admin'] });
  assert.equal(user.status, 201, user.text);
  assert.equal((await coffer(['login', '--api', api, '--user', 'ops'])).code, 0);
});

after(async () => {
  for (const child of agents.values()) child.kill('SIGKILL');
  server?.kill('SIGTERM');
  await sleep(300);
  if (process.env.COFFER_E2E_KEEP !== '1') home?.remove();
});

describe('an agent host is gone', { timeout: 420_000 }, () => {
  let backupOfA = '';
  let backupOfC = '';

  it('server-held key: host A backs up, A is destroyed, a new agent B restores its backup with no password, byte for byte', async () => {
    const output = await registerHost('host-a');
    assert.match(output, /server keeps a recovery copy of the vault key/);
    await runHost('host-a');
    assert.equal((await agentNamed('host-a')).vault.key_custody, 'server');
    assert.equal((await coffer(['configs', 'create', '--agent', 'host-a', '--name', 'www-a', '--include', treeDir, '--notify-email', 'ops@example.com'])).code, 0);
    backupOfA = await backUp('www-a');
    await destroyHost('host-a');

    await registerHost('host-b');
    await runHost('host-b');
    const restoreDir = path.join(home.home, 'restored-from-a');
    const restore = await coffer(['restore', backupOfA.slice(0, 8), '--agent', 'host-b', '--path', restoreDir, '--watch']);
    assert.equal(restore.code, 0, restore.stderr + restore.stdout);
    assert.match(restore.stdout, /Restore completed/);
    assertSameTree(restoreDir);
  });

  it('private vault: restored onto B with the vault password; a wrong password is refused before anything is written', async () => {
    const output = await registerHost('host-c', ['--private-vault']);
    assert.match(output, /the vault is private/);
    await runHost('host-c');
    const encrypt = await coffer(['agents', 'encrypt', 'host-c', '--wait'], { COFFER_VAULT_PASSWORD: VAULT_PASSWORD });
    assert.equal(encrypt.code, 0, encrypt.stderr + encrypt.stdout);
    const agentC = await agentNamed('host-c');
    assert.equal(agentC.vault.key_custody, 'private');
    assert.equal(agentC.vault.encrypted, true);
    assert.equal((await coffer(['configs', 'create', '--agent', 'host-c', '--name', 'www-c', '--include', treeDir, '--notify-email', 'ops@example.com'])).code, 0);
    backupOfC = await backUp('www-c');
    await destroyHost('host-c');

    const refusedDir = path.join(home.home, 'restored-wrong-password');
    const wrong = await coffer(['restore', backupOfC, '--agent', 'host-b', '--path', refusedDir, '--watch'], { COFFER_VAULT_PASSWORD: 'not-the-password' });
    assert.equal(wrong.code, 1, wrong.stderr + wrong.stdout);
    assert.match(wrong.stdout + wrong.stderr, /wrong_password/);
    assert.match(wrong.stdout + wrong.stderr, /does not open the backup's vault/);
    assert.equal(fs.existsSync(refusedDir), false, 'nothing was written');
    const jobs = JSON.parse((await coffer(['jobs', '--type', 'restore', '--json'])).stdout).activities;
    const failed = (await call('GET', `/v2/${PROJECT}/restores/${jobs[0].id}`)).body;
    assert.equal(failed.state, 'failed');
    assert.equal(failed.errors.reason, 'wrong_password');

    const restoreDir = path.join(home.home, 'restored-from-c');
    const right = await coffer(['restore', backupOfC, '--agent', 'host-b', '--path', restoreDir, '--watch'], { COFFER_VAULT_PASSWORD: VAULT_PASSWORD });
    assert.equal(right.code, 0, right.stderr + right.stdout);
    assertSameTree(restoreDir);
    // Private means private: the server holds no key, so without the password no other agent gets in.
    assert.equal((await call('GET', `/v2/${PROJECT}/agents/${agentC.id}`)).body.vault.key_custody, 'private');
  });

  it("--replace: a new host adopts A's vault, configurations and history; its next backup of the same data deduplicates (< 5 % growth)", async (ctx) => {
    const agentA = await agentNamed('host-a');
    const before = await vaultBytes(agentA.vault.id);
    const output = await registerHost('host-a2', ['--replace', 'host-a']);
    assert.match(output, /replaces host-a/);
    await runHost('host-a2');
    const adopted = await agentNamed('host-a2');
    assert.equal(adopted.vault.id, agentA.vault.id);
    assert.notEqual((await agentNamed('host-a')).vault.id, agentA.vault.id, 'the old agent lost the vault');
    const history = (await call('GET', `/v2/${PROJECT}/backups/${backupOfA}`)).body;
    assert.equal(history.agent.id, adopted.id);
    assert.equal(history.restorable, true);

    await backUp('www-a');
    const grown = (await vaultBytes(agentA.vault.id)) - before;
    ctx.diagnostic(`the backup on the replacement host grew the vault by ${grown} bytes (${((100 * grown) / before).toFixed(2)} % of ${before})`);
    assert.ok(grown < before * 0.05, `the vault grew by ${grown} bytes of ${before}`);

    // A refused replacement changes nothing: a private vault cannot be adopted, and no agent is left behind.
    const count = (await call('GET', `/v2/${PROJECT}/agents`)).body.agents.length;
    fs.mkdirSync(hostDir('host-c2'), { recursive: true });
    const refused = await coffer(['agent', 'register', '--api', api, '--user', 'ops', '--name', 'host-c2', '--config', configOf('host-c2'), '--replace', 'host-c']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /private/);
    assert.equal(fs.existsSync(configOf('host-c2')), false);
    assert.equal((await call('GET', `/v2/${PROJECT}/agents`)).body.agents.length, count);
  });
});
