import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';

export interface Measurement {
  wallS: number;
  cpuS: number;
  peakRssMiB: number;
}

/** Runs a command under GNU time and returns wall time, user+system CPU and peak RSS. */
export async function measure(command: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Measurement> {
  const timeFile = path.join(process.env.TMPDIR ?? '/tmp', `coffer-bench-time-${process.pid}`);
  const args = ['-f', '%e %U %S %M', '-o', timeFile, ...command];
  const stderr: Buffer[] = [];
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn('/usr/bin/time', args, { env: { ...process.env, ...options.env }, cwd: options.cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (d: Buffer) => stderr.push(d));
    child.on('error', reject);
    child.on('exit', (c) => resolve(c ?? 1));
  });
  const text = (await fs.readFile(timeFile, 'utf8')).trim().split('\n').pop()!;
  await fs.rm(timeFile, { force: true });
  if (code !== 0) throw new Error(`${command.join(' ')} exited ${code}: ${Buffer.concat(stderr).toString().slice(-2000)}`);
  const [wall, user, sys, rssKb] = text.split(/\s+/).map(Number) as [number, number, number, number];
  return { wallS: wall, cpuS: user + sys, peakRssMiB: rssKb / 1024 };
}

export async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  const walk = async (d: string) => {
    for (const entry of await fs.readdir(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) await walk(p);
      else if (entry.isFile()) total += (await fs.stat(p)).size;
    }
  };
  await walk(dir);
  return total;
}
