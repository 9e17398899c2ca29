import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CofferResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A home directory of its own, so the stored session never touches the real user's. */
export function makeHome(): { home: string; configDir: string; remove(): void } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'coffer-cli-'));
  return { home, configDir: path.join(home, 'config'), remove: () => fs.rmSync(home, { recursive: true, force: true }) };
}

/** Starts the real `coffer` program (`node --import tsx src/main.ts …`) in the given home, not on a terminal. */
export function spawnCoffer(args: string[], options: { home: string; env?: Record<string, string | undefined> }): ChildProcess {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, ...options.env })) if (value !== undefined) env[key] = value;
  env.HOME = options.home;
  env.XDG_CONFIG_HOME = path.join(options.home, 'config');
  delete env.NODE_TEST_CONTEXT;
  if (options.env && 'COFFER_PASSWORD' in options.env && options.env.COFFER_PASSWORD === undefined) delete env.COFFER_PASSWORD;
  // tsx by its resolved URL: the program runs in the temporary home, where `tsx` alone would not resolve.
  return spawn(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(REPO_ROOT, 'src', 'main.ts'), ...args], { cwd: options.home, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs `coffer …` to its end and collects what it printed. */
export function runCoffer(args: string[], options: { home: string; env?: Record<string, string | undefined>; timeoutMs?: number }): Promise<CofferResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCoffer(args, options);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** Runs `coffer …` on a pseudo-terminal (util-linux `script`), the way a person at a terminal sees it; undefined without `script`. */
export function runCofferOnTerminal(
  args: string[],
  options: { home: string; env?: Record<string, string | undefined>; timeoutMs?: number; answer?: { prompt: string; text: string } },
): Promise<CofferResult> | undefined {
  if (!fs.existsSync('/usr/bin/script')) return undefined;
  const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;
  const line = [process.execPath, '--import', import.meta.resolve('tsx'), path.join(REPO_ROOT, 'src', 'main.ts'), ...args].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries({ ...process.env, ...options.env })) if (value !== undefined) env[key] = value;
    env.HOME = options.home;
    env.XDG_CONFIG_HOME = path.join(options.home, 'config');
    env.COLUMNS = '100';
    delete env.NODE_TEST_CONTEXT;
    const child = spawn('/usr/bin/script', ['-qec', line, '/dev/null'], { cwd: options.home, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let answered = false;
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      // Typed at the prompt, as a person would (Enter is a carriage return on a terminal).
      if (options.answer && !answered && stdout.includes(options.answer.prompt)) {
        answered = true;
        child.stdin!.write(`${options.answer.text}\r`);
      }
    });
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}
