import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote to stderr, for failure messages. */
  stderr(): string;
  /** SIGTERM, then SIGKILL if it has not exited after 5 s. */
  stop(): Promise<void>;
  /** SIGKILL now; resolves when the process is gone. */
  kill(): Promise<void>;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** Node's arguments for `coffer`: the compiled program when it is up to date with the sources (starts in 1 s instead of 8), else the sources. */
export function cofferCommand(): string[] {
  const built = path.join(root, 'dist/src/main.js');
  if (fs.existsSync(built) && fs.statSync(built).mtimeMs >= newestMtime(path.join(root, 'src'))) return [built];
  return ['--import', 'tsx', path.join(root, 'src/main.ts')];
}

function serverCommand(): string[] {
  return [...cofferCommand(), 'serve'];
}

/** Starts `coffer serve` as a real process on a free port of 127.0.0.1 and waits until it listens. */
export async function spawnServer(env: Record<string, string | undefined>): Promise<ServerProcess> {
  const child = spawn(process.execPath, serverCommand(), {
    cwd: root,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 30 s: ${stderr}`)), 30_000);
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening: ${stderr}`));
    });
  });
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  return {
    url,
    child,
    stderr: () => stderr,
    async stop() {
      if (gone()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (!gone()) child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface HttpResult {
  status: number;
  body: any;
  text: string;
}

/** A JSON request with an X-Auth-Token; the body is sent as JSON (or JSON Patch for PATCH). */
export async function call(baseUrl: string, method: string, urlPath: string, token: string | null, body?: unknown): Promise<HttpResult> {
  const headers: Record<string, string> = {};
  if (token) headers['x-auth-token'] = token;
  if (body !== undefined) headers['content-type'] = method === 'PATCH' ? 'application/json-patch+json' : 'application/json';
  const response = await fetch(`${baseUrl}${urlPath}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed, text };
}

/** Registers an agent through `baseUrl` with a user's token and logs it in; returns its id and token. */
export async function registerAgentOver(baseUrl: string, project: string, userToken: string): Promise<{ id: string; token: string }> {
  const fingerprint = `fp-${Math.random().toString(16).slice(2)}`;
  const os = { name: 'Debian', version: '12', architecture: '64-bit' };
  const created = await call(baseUrl, 'POST', `/v2/${project}/agents`, userToken, {
    name: 'race agent',
    version: '1.0.0',
    host: { flavor: 'nova', region: 'DFW', machine: { id: fingerprint }, os, fingerprint, addresses: [{ version: 4, addr: '10.0.0.1' }] },
    rsa_public_key: { modulus: 'E14F9A88A6E8EA25', exponent: 10001 },
    vault: { use_internal: true },
  });
  if (created.status !== 201) throw new Error(`agent registration: ${created.status} ${created.text}`);
  const login = await call(baseUrl, 'POST', `/v2/${project}/agents/tokens`, null, { id: created.body.id, password: created.body.password, host: { fingerprint, os } });
  if (login.status !== 200) throw new Error(`agent login: ${login.status} ${login.text}`);
  return { id: created.body.id, token: login.body.token.id };
}

/** Runs `task` over `items` with at most `limit` in flight. */
export async function inParallel<T, R>(items: T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
