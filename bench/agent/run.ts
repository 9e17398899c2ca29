// The end-to-end figure: the engine benchmark's tree (about 1 GiB) backed up by a running agent through the
// server's vault endpoint (HTTP, loopback), and by the same agent straight into S3 (a real Ceph RADOS Gateway, see
// s3-endpoint.ts), beside the same tree backed up with `coffer vault backup` into a local directory.
// First backup and a no-change backup, each as a ratio to local. Runs in bench/.work/agent/ (the tree is
// kept between runs; vaults and the server's data are not). BENCH_AGENT_SCALE=0.25 uses every 4th file.
// Usage: node --import tsx bench/agent/run.ts   (also run at the end of `npm run bench`)
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { directoryBytes, measure, type Measurement } from '../engine/measure.js';
import { fileContent, planTree } from '../engine/tree-generator.js';
import { benchS3, type BenchS3 } from './s3-endpoint.js';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORK = path.join(ROOT, 'bench/.work/agent');
const TREE = path.join(WORK, 'tree');
const SCALE = Number(process.env.BENCH_AGENT_SCALE ?? 1);
const ADMIN_TOKEN = `bench-${randomBytes(8).toString('hex')}`;
const PROJECT = '777';
const VAULT_PASSWORD = 'bench-vault-password';

const children = new Set<ChildProcess>();

function start(args: string[], env: Record<string, string>, log: string): ChildProcess {
  const out = fs.openSync(path.join(WORK, log), 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', out, out] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 600_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function writeBenchTree(): Promise<void> {
  const marker = path.join(WORK, `tree-${SCALE}.done`);
  if (fs.existsSync(marker)) return;
  fs.rmSync(TREE, { recursive: true, force: true });
  for (const name of fs.existsSync(WORK) ? fs.readdirSync(WORK) : []) if (name.startsWith('tree-')) fs.rmSync(path.join(WORK, name));
  const all = planTree();
  const step = Math.max(1, Math.round(1 / SCALE));
  for (const [index, file] of all.entries()) {
    if (index % step !== 0) continue;
    const target = path.join(TREE, file.rel);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, fileContent(file, all));
  }
  fs.writeFileSync(marker, '');
}

async function localBackups(): Promise<Measurement[]> {
  const repo = path.join(WORK, 'local-vault');
  fs.rmSync(repo, { recursive: true, force: true });
  const cli = [process.execPath, path.join(ROOT, 'bin/coffer.js'), 'vault'];
  const env = { COFFER_VAULT_PASSWORD: VAULT_PASSWORD };
  await measure([...cli, 'init', '--repo', repo], { env, cwd: ROOT });
  const first = await measure([...cli, 'backup', '--repo', repo, TREE], { env, cwd: ROOT });
  const again = await measure([...cli, 'backup', '--repo', repo, TREE], { env, cwd: ROOT });
  return [first, again];
}

interface AgentRun {
  /** From the API request to the agent's final report. */
  wallS: number;
  /** The agent's own started_time → ended_time. */
  engineS: number;
  bytesBackedUp: number;
  /** Vault bytes that passed through the server (received + sent, from its /metrics). */
  serverVaultBytes: number;
}

/** A fresh bucket on the benchmark's S3 endpoint, as the server's environment. */
async function s3ServerEnv(s3: BenchS3): Promise<Record<string, string>> {
  const bucket = `coffer-bench-${randomBytes(4).toString('hex')}`;
  const client = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  client.destroy();
  return {
    COFFER_STORAGE_URL: `s3://${bucket}/coffer?endpoint=${encodeURIComponent(s3.endpoint)}&region=us-east-1&path_style=true`,
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
  };
}

async function agentBackups(name: string, serverEnv: Record<string, string> = {}): Promise<AgentRun[]> {
  const dataDir = path.join(WORK, `server-data-${name}`);
  const configPath = path.join(WORK, `agent-${name}/agent.json`);
  const serverLog = `server-${name}.out`;
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(path.dirname(configPath), { recursive: true, force: true });
  fs.rmSync(path.join(WORK, serverLog), { force: true });
  const server = start(
    ['src/main.ts', 'serve', '--port', '0', '--data-dir', dataDir],
    { COFFER_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: process.env.BENCH_SERVER_LOG_LEVEL ?? 'warn', ...serverEnv },
    serverLog,
  );
  const api = await until('the server', async () => /listening on (http:\/\/\S+)/.exec(fs.readFileSync(path.join(WORK, serverLog), 'utf8'))?.[1], 60_000);
  const call = async (method: string, urlPath: string, body?: unknown) => {
    const response = await fetch(`${api}${urlPath}`, {
      method,
      headers: { 'x-auth-token': ADMIN_TOKEN, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${urlPath}: ${response.status} ${await response.text()}`);
    const text = await response.text();
    return text ? JSON.parse(text) : undefined;
  };
  await call('POST', '/admin/users', { username: 'bench', password: 'bench-password-1', project_id: PROJECT, roles: ['cloudbackup:admin'] });
  const register = start(
    ['src/main.ts', 'agent', 'register', '--api', api, '--user', 'bench', '--config', configPath],
    { COFFER_PASSWORD: 'bench-password-1', COFFER_VAULT_PASSWORD: VAULT_PASSWORD },
    `register-${name}.out`,
  );
  if ((await new Promise((resolve) => register.on('exit', resolve))) !== 0) throw new Error(`agent registration failed; see bench/.work/agent/register-${name}.out`);
  const agentId = JSON.parse(fs.readFileSync(configPath, 'utf8')).agentId as string;
  const agent = start(['src/main.ts', 'agent', 'run', '--config', configPath], {}, `agent-${name}.out`);
  const configuration = await call('POST', `/v2/${PROJECT}/configurations`, {
    agent_id: agentId,
    name: 'bench',
    enabled: true,
    schedule: null,
    retention: { days: 0 },
    inclusions: [{ type: 'folder', path: TREE }],
    exclusions: [],
    notifications: [{ type: 'email', destination: 'bench@example.com', on_success: false, on_failure: true }],
  });
  await until('the agent to come online', async () => ((await call('GET', `/v2/${PROJECT}/agents/${agentId}/status`)).online ? true : undefined), 60_000);
  const runs: AgentRun[] = [];
  for (let i = 0; i < 2; i++) {
    const asked = Date.now();
    const backup = await call('POST', `/v2/${PROJECT}/backups`, { configuration_id: configuration.id, state: 'start_requested' });
    const done = await until('the backup', async () => {
      const current = await call('GET', `/v2/${PROJECT}/backups/${backup.id}`);
      return ['completed', 'completed_with_errors', 'failed', 'stopped'].includes(current.state) ? current : undefined;
    });
    if (done.state !== 'completed') throw new Error(`agent backup ended ${done.state}: ${JSON.stringify(done.errors)}`);
    runs.push({
      wallS: (Date.now() - asked) / 1000,
      engineS: (Date.parse(done.ended_time) - Date.parse(done.started_time)) / 1000,
      bytesBackedUp: done.bytes_backed_up,
      serverVaultBytes: await serverVaultBytes(api),
    });
  }
  for (const child of [agent, server]) {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode === null ? child.on('exit', resolve) : resolve(undefined)));
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
  return runs;
}

async function serverVaultBytes(api: string): Promise<number> {
  const text = await (await fetch(`${api}/metrics`)).text();
  let total = 0;
  for (const metric of ['coffer_vault_bytes_received', 'coffer_vault_bytes_sent']) {
    const value = new RegExp(`^${metric} (\\S+)$`, 'm').exec(text)?.[1];
    if (value === undefined) throw new Error(`${metric} is missing from the server's /metrics`);
    total += Number(value);
  }
  return total;
}

async function main(): Promise<void> {
  fs.mkdirSync(WORK, { recursive: true });
  process.stdout.write(`\nAgent end to end: the engine benchmark's tree (scale ${SCALE}) through the agent and the server's vault endpoint vs coffer vault backup to a local directory\n`);
  await writeBenchTree();
  const treeBytes = await directoryBytes(TREE);
  process.stdout.write(`  tree: ${(treeBytes / 2 ** 20).toFixed(0)} MiB at ${TREE}\n`);
  const local = await localBackups();
  const agent = await agentBackups('local');
  const s3 = await benchS3(ROOT);
  let viaS3: AgentRun[] | undefined;
  try {
    if (s3) viaS3 = await agentBackups('s3', await s3ServerEnv(s3));
  } finally {
    await s3?.stop();
  }
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
  const lines = [
    '| backup | coffer vault backup, local dir (s) | agent → server vault (s) | ratio to local | agent → S3 (s) | ratio to local | ratio S3 / server vault |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...(['first backup', 'no-change backup'] as const).map((name, i) => {
      const l = local[i]!.wallS;
      const a = agent[i]!.wallS;
      const s = viaS3?.[i]?.wallS;
      const s3Cells = s === undefined ? '– | – | –' : `${s.toFixed(2)} | ${(s / l).toFixed(2)} × | ${(s / a).toFixed(2)} ×`;
      return `| ${name} | ${l.toFixed(2)} | ${a.toFixed(2)} | ${(a / l).toFixed(2)} × | ${s3Cells} |`;
    }),
  ];
  process.stdout.write(`\n${lines.join('\n')}\n`);
  process.stdout.write(
    `\nAgent times run from the API request to the agent's final report (the agent was already running); the local figure is the whole \`coffer vault backup\` process (start-up and key derivation included).\n`,
  );
  process.stdout.write(
    `First backup through the server: ${(treeBytes / 2 ** 20 / agent[0]!.wallS).toFixed(0)} MiB/s, ${mib(agent[1]!.serverVaultBytes)} MiB of vault data passed through the server.\n`,
  );
  if (viaS3) process.stdout.write(`First backup to S3: ${(treeBytes / 2 ** 20 / viaS3[0]!.wallS).toFixed(0)} MiB/s, ${mib(viaS3[1]!.serverVaultBytes)} MiB of vault data passed through the server.\n`);
  process.stdout.write(
    `${os.cpus().length} CPUs, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}; node ${process.version}\n`,
  );
}

export async function runAgentBench(): Promise<void> {
  try {
    await main();
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const child of children) child.kill('SIGKILL');
    for (const name of ['local', 's3']) fs.rmSync(path.join(WORK, `server-data-${name}`), { recursive: true, force: true });
    fs.rmSync(path.join(WORK, 'local-vault'), { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await runAgentBench();
