// The end-to-end figure: the engine benchmark's tree backed up by a running agent through the server's vault
// endpoint (HTTP, loopback), beside the same tree backed up with `coffer vault backup` into a local directory.
// First backup and a no-change backup, each as a ratio agent / local. Runs in bench/.work/agent/ (the tree is
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
}

async function agentBackups(): Promise<AgentRun[]> {
  const dataDir = path.join(WORK, 'server-data');
  const configPath = path.join(WORK, 'agent/agent.json');
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(path.dirname(configPath), { recursive: true, force: true });
  fs.rmSync(path.join(WORK, 'server.out'), { force: true });
  start(['src/main.ts', 'serve', '--port', '0', '--data-dir', dataDir], { COFFER_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'warn' }, 'server.out');
  const api = await until('the server', async () => /listening on (http:\/\/\S+)/.exec(fs.readFileSync(path.join(WORK, 'server.out'), 'utf8'))?.[1], 60_000);
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
  const register = start(['src/main.ts', 'agent', 'register', '--api', api, '--user', 'bench', '--config', configPath], { COFFER_PASSWORD: 'bench-password-1', COFFER_VAULT_PASSWORD: VAULT_PASSWORD }, 'register.out');
  if ((await new Promise((resolve) => register.on('exit', resolve))) !== 0) throw new Error('agent registration failed; see bench/.work/agent/register.out');
  const agentId = JSON.parse(fs.readFileSync(configPath, 'utf8')).agentId as string;
  start(['src/main.ts', 'agent', 'run', '--config', configPath], {}, 'agent.out');
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
    runs.push({ wallS: (Date.now() - asked) / 1000, engineS: (Date.parse(done.ended_time) - Date.parse(done.started_time)) / 1000, bytesBackedUp: done.bytes_backed_up });
  }
  return runs;
}

async function main(): Promise<void> {
  fs.mkdirSync(WORK, { recursive: true });
  process.stdout.write(`\nAgent end to end: the engine benchmark's tree (scale ${SCALE}) through the agent and the server's vault endpoint vs coffer vault backup to a local directory\n`);
  await writeBenchTree();
  const treeBytes = await directoryBytes(TREE);
  process.stdout.write(`  tree: ${(treeBytes / 2 ** 20).toFixed(0)} MiB at ${TREE}\n`);
  const local = await localBackups();
  const agent = await agentBackups();
  const rows = [
    ['first backup', local[0]!, agent[0]!],
    ['no-change backup', local[1]!, agent[1]!],
  ] as const;
  const lines = [
    '| backup | coffer vault backup, local dir (s) | agent → server vault, request to report (s) | agent engine time (s) | ratio agent / local | agent MiB/s |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map(([name, l, a]) => `| ${name} | ${l.wallS.toFixed(2)} | ${a.wallS.toFixed(2)} | ${a.engineS.toFixed(2)} | ${(a.wallS / l.wallS).toFixed(2)} × | ${(treeBytes / 2 ** 20 / a.wallS).toFixed(0)} |`),
  ];
  process.stdout.write(`\n${lines.join('\n')}\n`);
  process.stdout.write(`\nThe local figure is the whole \`coffer vault backup\` process (start-up and key derivation included); the agent was already running.\n`);
  process.stdout.write(`${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; node ${process.version}\n`);
}

export async function runAgentBench(): Promise<void> {
  try {
    await main();
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const child of children) child.kill('SIGKILL');
    fs.rmSync(path.join(WORK, 'server-data'), { recursive: true, force: true });
    fs.rmSync(path.join(WORK, 'local-vault'), { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await runAgentBench();
