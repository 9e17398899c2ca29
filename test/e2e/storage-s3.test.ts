import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { openVault } from '../../src/engine/vault/vault.js';
import { VaultFiles } from '../../src/resources/vaults/vault-files.js';
import { createTestBucket, s3Skip, testS3, type TestBucket } from '../helpers/s3.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-store.js';
import { call, spawnServer, type ServerProcess } from './multi-node-server-process.js';

/*
 * Object storage end to end, on a real Ceph RADOS Gateway and a real PostgreSQL: two API nodes with their own data
 * directories share only the database and the bucket; a real agent process backs up through node 1 and restores
 * through node 2; no vault byte passes through either node; the history is append-only except during a cleanup;
 * the storage is stopped in the middle of a backup and started again.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ADMIN = `s3-admin-${randomBytes(8).toString('hex')}`;
const PROJECT = '777001';
const TERMINAL = ['completed', 'completed_with_errors', 'failed', 'stopped', 'skipped', 'missed'];

const postgresSkip = process.env.TEST_DATABASE_URL ? false : 'needs TEST_DATABASE_URL (two nodes share a PostgreSQL database)';
const skip = s3Skip() || postgresSkip;
const s3 = testS3();

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'coffer-s3-e2e-'));
const treeDir = path.join(work, 'tree');
const configPath = path.join(work, 'agent', 'agent.json');
const dataDirs = [path.join(work, 'node1'), path.join(work, 'node2')];
let bucket: TestBucket;
let database: TestDatabase;
const nodes: ServerProcess[] = [];
let agent: ChildProcess | undefined;
let agentId = '';
let vaultId = '';
let configurationId = '';

const api = (node: number) => nodes[node]!.url;
const admin = (node: number, method: string, urlPath: string, body?: unknown) => call(api(node), method, urlPath, ADMIN, body);

function nodeEnv(dataDir: string): Record<string, string> {
  return {
    DATABASE_URL: database.databaseUrl!,
    COFFER_DATA_DIR: dataDir,
    COFFER_STORAGE_URL: bucket.url('coffer'),
    COFFER_ADMIN_TOKEN: ADMIN,
    AWS_ACCESS_KEY_ID: s3!.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3!.secretAccessKey,
  };
}

function runAgent(apiUrl: string): void {
  const config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
  fs.writeFileSync(configPath, JSON.stringify({ ...config, api: apiUrl }), { mode: 0o600 });
  const log = fs.openSync(path.join(work, 'agent.out'), 'a');
  agent = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'agent', 'run', '--config', configPath], { cwd: ROOT, stdio: ['ignore', log, log] });
}

async function stopAgent(): Promise<void> {
  if (!agent || agent.exitCode !== null) return;
  const exited = new Promise((resolve) => agent!.once('exit', resolve));
  agent.kill('SIGTERM');
  const timer = setTimeout(() => agent?.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      const log = fs.existsSync(path.join(work, 'agent.out')) ? fs.readFileSync(path.join(work, 'agent.out'), 'utf8').split('\n').slice(-20).join('\n') : '';
      throw new Error(`timed out waiting for ${what}\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const jobDone = (node: number, kind: string, id: string, timeoutMs = 120_000) =>
  waitFor(
    `${kind} ${id}`,
    async () => {
      const job = await admin(node, 'GET', `/v2/${PROJECT}/${kind}s/${id}`);
      return TERMINAL.includes(job.body?.state) ? job.body : undefined;
    },
    timeoutMs,
  );

async function backUp(node: number): Promise<any> {
  const created = await admin(node, 'POST', `/v2/${PROJECT}/backups`, { configuration_id: configurationId, state: 'start_requested' });
  assert.equal(created.status, 201, created.text);
  return created.body.id;
}

/** Vault bytes each node's vault routes received and sent (its /metrics). */
async function vaultTraffic(node: number): Promise<{ received: number; sent: number }> {
  const text = await (await fetch(`${api(node)}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { received: value('coffer_vault_bytes_received'), sent: value('coffer_vault_bytes_sent') };
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((rel) => fs.statSync(path.join(dir, rel)).isFile());
}

function treeHashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of filesUnder(dir).sort())
    out[rel] = createHash('sha256')
      .update(fs.readFileSync(path.join(dir, rel)))
      .digest('hex');
  return out;
}

/** The agent's own token, obtained the way the agent logs in. */
async function agentToken(): Promise<string> {
  const config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
  const response = await fetch(`${api(1)}/v2/${PROJECT}/agents/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      project_id: PROJECT,
      id: config.agentId,
      password: config.password,
      name: config.name,
      version: '1.0.0',
      host: { os: { name: 'Linux', version: os.release(), architecture: '64-bit' }, fingerprint: config.fingerprint, addresses: [{ version: 4, addr: '127.0.0.1' }] },
    }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  return ((await response.json()) as { token: { id: string } }).token.id;
}

/** What `coffer vault check --read-data` says about the vault in the bucket. */
function checkVault(): { status: number | null; output: string } {
  const config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
  const passwordFile = path.join(work, 'vault-password');
  fs.writeFileSync(passwordFile, config.vaultPassword, { mode: 0o600 });
  const repo = bucket.url(`coffer/vaults/${vaultId}`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', 'vault', 'check', '--read-data', '--repo', repo, '--password-file', passwordFile], {
    cwd: ROOT,
    env: { ...process.env, AWS_ACCESS_KEY_ID: s3!.accessKeyId, AWS_SECRET_ACCESS_KEY: s3!.secretAccessKey, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    encoding: 'utf8',
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function restartRadosGateway(): void {
  const dir = process.env.COFFER_TEST_CEPH_DIR!;
  const started = spawnSync('radosgw', ['-c', path.join(dir, 'ceph.conf'), '-n', 'client.rgw.a', '--keyring', path.join(dir, 'rgw', 'keyring')]);
  assert.equal(started.status, 0, String(started.stderr));
}

describe('object storage end to end (Ceph RGW + PostgreSQL, two nodes)', { skip, timeout: 600_000 }, () => {
  before(async () => {
    bucket = await createTestBucket(s3!);
    database = await createTestDatabase('postgres');
    for (const dir of dataDirs) fs.mkdirSync(dir);
    nodes.push(await spawnServer(nodeEnv(dataDirs[0]!)));
    nodes.push(await spawnServer(nodeEnv(dataDirs[1]!)));
    nodes.unshift(undefined as never); // nodes[1], nodes[2]
    fs.mkdirSync(path.join(treeDir, 'docs/deep'), { recursive: true });
    fs.writeFileSync(path.join(treeDir, 'big.bin'), randomBytes(12 * 1024 * 1024));
    fs.writeFileSync(path.join(treeDir, 'docs/readme.txt'), 'object storage\n'.repeat(500));
    fs.writeFileSync(path.join(treeDir, 'docs/deep/leaf.txt'), 'leaf\n');
    fs.writeFileSync(path.join(treeDir, 'empty.txt'), '');
  });

  after(async () => {
    await stopAgent();
    for (const node of nodes.slice(1)) await node?.stop();
    await bucket?.drop().catch(() => undefined);
    await database?.drop().catch(() => undefined);
    if (!process.env.COFFER_E2E_KEEP) fs.rmSync(work, { recursive: true, force: true });
  });

  it('refuses to start with one line when the bucket is missing or the credentials are wrong', async () => {
    const missing = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve', '--port', '0'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, ...nodeEnv(path.join(work, 'bad')), COFFER_STORAGE_URL: bucket.url('x').replace(bucket.name, 'coffer-no-such-bucket') },
    });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^coffer: storage: the bucket "coffer-no-such-bucket" does not exist at http/m);
    const wrong = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve', '--port', '0'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, ...nodeEnv(path.join(work, 'bad')), AWS_SECRET_ACCESS_KEY: 'wrong' },
    });
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /^coffer: storage: .* refused the credentials/m);
  });

  it('backs up through node 1 straight into the bucket: nothing on either node, no vault byte through them', async () => {
    const user = await admin(1, 'POST', '/admin/users', { username: 'ops', password: 'ops-password-123', project_id: PROJECT, roles: ['cloudbackup:admin'] });
    assert.equal(user.status, 201, user.text);
    const register = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', 'agent', 'register', '--api', api(1), '--user', 'ops', '--config', configPath], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, COFFER_PASSWORD: 'ops-password-123' },
    });
    assert.equal(register.status, 0, register.stderr);
    agentId = JSON.parse(fs.readFileSync(configPath, 'utf8')).agentId;
    const created = await admin(1, 'POST', `/v2/${PROJECT}/configurations`, {
      agent_id: agentId,
      name: 'tree',
      enabled: true,
      schedule: null,
      retention: { days: 1 },
      inclusions: [{ type: 'folder', path: treeDir }],
      exclusions: [],
      notifications: [{ type: 'email', destination: 'ops@example.com', on_success: false, on_failure: true }],
    });
    assert.equal(created.status, 201, created.text);
    configurationId = created.body.id;
    vaultId = (await admin(1, 'GET', `/v2/${PROJECT}/agents/${agentId}`)).body.vault.id;
    runAgent(api(1));
    const done = await jobDone(1, 'backup', await backUp(1));
    assert.equal(done.state, 'completed', JSON.stringify(done.errors));
    const keys = await bucket.keys(`coffer/vaults/${vaultId}/`);
    for (const kind of ['config', 'keys/', 'data/', 'index/', 'snapshots/'])
      assert.ok(
        keys.some((k) => k.includes(`/${vaultId}/${kind}`)),
        `${kind} in ${keys.join(' ')}`,
      );
    const stored = (await bucket.store('coffer/').list(`vaults/${vaultId}/data/`)).reduce((sum, b) => sum + b.size, 0);
    assert.ok(stored > 12 * 1024 * 1024, `${stored} bytes of packs in the bucket`);
    assert.deepEqual(filesUnder(dataDirs[0]!), [], 'node 1 keeps nothing on disk');
    assert.deepEqual(filesUnder(dataDirs[1]!), [], 'node 2 keeps nothing on disk');
    assert.deepEqual(await vaultTraffic(1), { received: 0, sent: 0 });
  });

  it('restores through node 2 byte for byte, and a log file uploaded through node 1 downloads through node 2', async () => {
    const requested = await admin(1, 'POST', `/v2/${PROJECT}/agents/${agentId}/logfiles`);
    assert.equal(requested.status, 202, requested.text);
    const link = await waitFor('the log file upload', async () => {
      const logfile = await admin(1, 'GET', `/v2/${PROJECT}/agents/${agentId}/logfiles/${requested.body.id}`);
      return logfile.body.state === 'completed' ? (logfile.body.links as { href: string; rel: string }[]).find((l) => l.href.includes('temp_url_sig'))?.href : undefined;
    });
    const viaNode2 = await fetch(link.replace(api(1), api(2)));
    assert.equal(viaNode2.status, 200);
    assert.ok(gunzipSync(Buffer.from(await viaNode2.arrayBuffer())).length > 0);

    await stopAgent();
    runAgent(api(2));
    const target = path.join(work, 'restored');
    const created = await admin(2, 'POST', `/v2/${PROJECT}/restores`, {
      backup_id: (await admin(2, 'GET', `/v2/${PROJECT}/backups?configuration_id=${configurationId}`)).body.backups[0].id,
      destination_agent_id: agentId,
      destination_path: target,
      overwrite_files: false,
      encrypted_password_hex: null,
      inclusions: [],
      exclusions: [],
    });
    assert.equal(created.status, 201, created.text);
    const done = await jobDone(2, 'restore', created.body.id);
    assert.equal(done.state, 'completed', JSON.stringify(done.errors));
    assert.deepEqual(treeHashes(path.join(target, treeDir)), treeHashes(treeDir));
    assert.deepEqual(await vaultTraffic(1), { received: 0, sent: 0 });
    assert.deepEqual(await vaultTraffic(2), { received: 0, sent: 0 });
    assert.deepEqual(filesUnder(dataDirs[1]!), []);
  });

  it("refuses to delete or overwrite history with the agent's own token (403)", async () => {
    const token = await agentToken();
    const store = bucket.store('coffer/');
    const vault = new VaultFiles(store, vaultId);
    const names = (await vault.list('')).map((f) => f.name);
    for (const kind of ['data/', 'index/', 'snapshots/']) {
      const name = names.find((n) => n.startsWith(kind))!;
      const size = (await vault.stat(name)).size;
      const deleted = await call(api(2), 'DELETE', `/vaults/${vaultId}/files/${name}`, token);
      assert.equal(deleted.status, 403, `${name}: ${deleted.text}`);
      const overwrite = await call(api(1), 'POST', `/vaults/${vaultId}/uploads/${name}?size=${size}`, token);
      assert.equal(overwrite.status, 403, `${name}: ${overwrite.text}`);
      const direct = await call(api(1), 'PUT', `/vaults/${vaultId}/files/${name}`, token);
      assert.notEqual(direct.status, 201);
    }
    assert.deepEqual((await vault.list('')).map((f) => f.name).sort(), [...names].sort());
  });

  it('rides out object storage stopped in the middle of a backup; the vault checks clean afterwards', async () => {
    fs.writeFileSync(path.join(treeDir, 'second.bin'), randomBytes(64 * 1024 * 1024));
    const id = await backUp(2);
    await waitFor('the backup to start', async () => (['preparing', 'in_progress'].includes((await admin(2, 'GET', `/v2/${PROJECT}/backups/${id}`)).body.state) ? true : undefined));
    const pidFile = path.join(process.env.COFFER_TEST_CEPH_DIR!, 'run', 'client.rgw.a.pid');
    process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGTERM');
    await waitFor(
      'the gateway to stop',
      async () =>
        await fetch(process.env.COFFER_TEST_S3_ENDPOINT!).then(
          () => undefined,
          () => true,
        ),
      30_000,
    );
    const during = await call(api(2), 'GET', `/vaults/${vaultId}/files?prefix=snapshots/`, await agentToken());
    assert.equal(during.status, 503, during.text);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    restartRadosGateway();
    const done = await jobDone(2, 'backup', id, 240_000);
    assert.ok(['completed', 'failed'].includes(done.state), done.state);
    if (done.state === 'failed') assert.ok(JSON.stringify(done.errors).length > 10, 'a failed backup says why');
    const check = checkVault();
    assert.equal(check.status, 0, check.output);
  });

  it('lets a cleanup prune (only unreferenced files go), then refuses deletes again', async () => {
    const store = bucket.store('coffer/');
    const vault = new VaultFiles(store, vaultId);
    // The big file goes, and the policy keeps only the newest backup: the earlier snapshots go.
    fs.rmSync(path.join(treeDir, 'second.bin'), { force: true });
    const last = await jobDone(2, 'backup', await backUp(2));
    assert.equal(last.state, 'completed', JSON.stringify(last.errors));
    const policy = await admin(2, 'PATCH', `/v2/${PROJECT}/configurations/${configurationId}`, [{ op: 'replace', path: '/retention', value: { days: 0, keep_last: 1 } }]);
    assert.equal(policy.status, 204, policy.text);
    await stopAgent();
    const config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
    const log = fs.openSync(path.join(work, 'agent.out'), 'a');
    agent = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'agent', 'run', '--config', configPath], {
      cwd: ROOT,
      stdio: ['ignore', log, log],
      env: { ...process.env, COFFER_AGENT_CLOCK_OFFSET_MS: String(2 * 86_400_000) },
    });
    assert.equal(config.api, api(2));
    const before = new Set((await vault.list('')).map((f) => f.name));
    const created = await admin(2, 'POST', `/v2/${PROJECT}/cleanups`, { agent_id: agentId, state: 'start_requested' });
    assert.equal(created.status, 201, created.text);
    const done = await jobDone(2, 'cleanup', created.body.id);
    assert.equal(done.state, 'completed', JSON.stringify(done.errors));
    const afterNames = new Set((await vault.list('')).map((f) => f.name));
    const removed = [...before].filter((n) => !afterNames.has(n) && !n.startsWith('locks/'));
    assert.ok(
      removed.some((n) => n.startsWith('data/')),
      `the prune removed packs: ${removed.join(' ')}`,
    );
    const check = checkVault();
    assert.equal(check.status, 0, check.output);
    // What is left restores: the newest snapshot is intact.
    const opened = await openVault(vault, config.vaultPassword);
    assert.ok((await opened.listSnapshots()).length >= 1);
    const pack = [...afterNames].find((n) => n.startsWith('data/'))!;
    const refused = await call(api(1), 'DELETE', `/vaults/${vaultId}/files/${pack}`, await agentToken());
    assert.equal(refused.status, 403, refused.text);
  });
});
