import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { PROJECT } from '../helpers/fixtures.js';
import { makeHome, REPO_ROOT, runCoffer, spawnCoffer } from '../cli/run-coffer.js';

/*
 * Coffer as a service, the way the systemd units in contrib/systemd/ run it: the server and the agent started by
 * the units' own command lines and environment, from a working directory that has nothing to do with their data.
 * A `backup start --watch` follows its backup through a restart of the server; then both get SIGTERM, as at
 * `systemctl stop` or a shutdown, and neither leaves an error in its log.
 */

interface Unit {
  exec: string[];
  env: Record<string, string>;
}

/** `Environment=` and `ExecStart=` of a unit file, with the install paths mapped onto this checkout and `dirs`. */
function readUnit(file: string, dirs: Record<string, string>): Unit {
  const text = fs.readFileSync(path.join(REPO_ROOT, 'contrib', 'systemd', file), 'utf8');
  const map = (word: string) => {
    if (word === '/usr/bin/node') return process.execPath;
    for (const [from, to] of Object.entries({ '/opt/coffer': REPO_ROOT, ...dirs })) if (word === from || word.startsWith(`${from}/`)) return to + word.slice(from.length);
    return word;
  };
  const env: Record<string, string> = {};
  for (const match of text.matchAll(/^Environment=([A-Z_]+)=(.*)$/gm)) env[match[1]!] = map(match[2]!);
  const exec = /^ExecStart=(.*)$/m.exec(text)?.[1]?.split(/\s+/).map(map);
  assert.ok(exec && exec.length > 1, `${file} has an ExecStart`);
  return { exec, env };
}

interface Service {
  child: ChildProcess;
  log(): string;
  exited: Promise<number | null>;
}

function startService(unit: Unit, extraEnv: Record<string, string>, cwd: string): Service {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, ...unit.env, ...extraEnv })) if (value !== undefined) env[key] = value;
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(unit.exec[0]!, unit.exec.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (chunk) => (log += chunk));
  child.stderr!.on('data', (chunk) => (log += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, log: () => log, exited };
}

async function until(what: string, check: () => boolean, ms: number): Promise<void> {
  for (const deadline = Date.now() + ms; !check();) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Log lines at pino's error level or above, and plain lines that speak of an error. */
function errorLines(log: string): string[] {
  return log.split('\n').filter((line) => {
    if (line.startsWith('{')) {
      try {
        return (JSON.parse(line) as { level?: number }).level! >= 50;
      } catch {
        return true;
      }
    }
    return /error|exception|unhandled|\bat .*:\d+:\d+/i.test(line);
  });
}

const box = fs.mkdtempSync(path.join(os.tmpdir(), 'coffer-service-'));
const home = makeHome();
const running: Service[] = [];
after(async () => {
  for (const service of running) if (service.child.exitCode === null && service.child.signalCode === null) service.child.kill('SIGKILL');
  await Promise.all(running.map((s) => s.exited));
  fs.rmSync(box, { recursive: true, force: true });
  home.remove();
});

describe('the systemd units', { timeout: 300_000 }, () => {
  test('data where the unit says; a watch rides out a server restart; SIGTERM leaves no error in the logs', async () => {
    const dirs = { '/var/lib/coffer': path.join(box, 'server-state'), '/var/lib/coffer-agent': path.join(box, 'agent-state') };
    for (const dir of Object.values(dirs)) fs.mkdirSync(dir, { mode: 0o700 });
    const server = readUnit('coffer-server.service', dirs);
    const agent = readUnit('coffer-agent.service', dirs);
    assert.equal(server.env.COFFER_DATA_DIR, dirs['/var/lib/coffer'], 'the server unit names its data folder');
    // Somewhere else entirely: the services must not put anything in their working directory.
    const elsewhere = path.join(box, 'elsewhere');
    fs.mkdirSync(elsewhere);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const serverEnv = { HOST: '127.0.0.1', PORT: String(port), COFFER_ADMIN_TOKEN: 'service-test-admin-token', LOG_LEVEL: 'info' };
    const startServer = async () => {
      const service = startService(server, serverEnv, elsewhere);
      running.push(service);
      await until('the server to listen', () => service.log().includes(`listening on ${url}`) || service.child.exitCode !== null, 60_000);
      assert.ok(service.child.exitCode === null, service.log());
      return service;
    };
    const first = await startServer();
    assert.ok(fs.existsSync(path.join(dirs['/var/lib/coffer'], 'coffer.db')), "the database is in the unit's data folder");

    const password = 'service-password-1';
    const user = await fetch(`${url}/admin/users`, {
      method: 'POST',
      headers: { 'x-auth-token': serverEnv.COFFER_ADMIN_TOKEN, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'ops', password, project_id: PROJECT, roles: ['cloudbackup:admin'] }),
    });
    assert.equal(user.status, 201, await user.text());
    const coffer = (args: string[]) => runCoffer(args, { home: home.home, env: { COFFER_PASSWORD: password }, timeoutMs: 120_000 });
    assert.equal((await coffer(['login', '--api', url, '--user', 'ops'])).code, 0);
    const agentConfig = agent.exec[agent.exec.indexOf('--config') + 1]!;
    const registered = await coffer(['agent', 'register', '--api', url, '--user', 'ops', '--name', 'svc-1', '--config', agentConfig]);
    assert.equal(registered.code, 0, registered.stderr + registered.stdout);
    const tree = path.join(box, 'tree');
    fs.mkdirSync(tree);
    for (let i = 0; i < 20; i++) fs.writeFileSync(path.join(tree, `f${i}.txt`), `file ${i}\n`.repeat(100 * (i + 1)));
    const created = await coffer(['configs', 'create', '--agent', 'svc-1', '--name', 'tree', '--include', tree, '--notify-email', 'ops@example.com']);
    assert.equal(created.code, 0, created.stderr);

    // The agent is not running yet: the backup waits, and its watch with it, while the server restarts.
    const watch = spawnCoffer(['backup', 'start', 'tree', '--watch'], { home: home.home, env: { COFFER_PASSWORD: password, COFFER_WATCH_INTERVAL_MS: '200' } });
    let watched = '';
    watch.stdout!.on('data', (chunk) => (watched += chunk));
    watch.stderr!.on('data', (chunk) => (watched += chunk));
    const watchEnded = new Promise<number | null>((resolve) => watch.once('exit', (code) => resolve(code)));
    await until('the watch to start', () => watched.includes('Watching backup'), 60_000);
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0, first.log());
    await until('the watch to notice', () => watched.includes('Lost the server'), 60_000);
    const second = await startServer();
    const agentService = startService(agent, {}, elsewhere);
    running.push(agentService);
    let late: NodeJS.Timeout | undefined;
    const code = await Promise.race([watchEnded, new Promise<'late'>((resolve) => (late = setTimeout(() => resolve('late'), 180_000)))]);
    clearTimeout(late);
    assert.equal(code, 0, watched);
    assert.equal(watched.match(/Lost the server/g)?.length, 1, `said once:\n${watched}`);
    assert.match(watched, /Lost the server \(cannot reach http:\/\/127\.0\.0\.1:\d+: .*\); trying again until it answers/);
    assert.match(watched, /The server answers again after \d+ failed tr(y|ies); still watching\./);
    assert.match(watched, /Backup completed in \d+s: 20 of 20 files backed up/);

    // Stopped together, as a shutdown does: both end cleanly and neither logs an error.
    second.child.kill('SIGTERM');
    agentService.child.kill('SIGTERM');
    const [serverCode, agentCode] = await Promise.all([second.exited, agentService.exited]);
    assert.equal(serverCode, 0, second.log());
    assert.equal(agentCode, 0, agentService.log());
    const agentLogFile = fs.readFileSync(path.join(dirs['/var/lib/coffer-agent'], 'agent.log'), 'utf8');
    for (const [name, log] of [
      ['first server', first.log()],
      ['second server', second.log()],
      ['agent', agentService.log()],
      ['agent.log', agentLogFile],
    ] as const) {
      assert.ok(log.length > 0, `${name} logged something`);
      assert.deepEqual(errorLines(log), [], `${name}:\n${log}`);
    }
    assert.match(agentLogFile, /agent shutting down/);
    assert.deepEqual(fs.readdirSync(elsewhere), [], 'nothing was written to the working directory');
  });
});
