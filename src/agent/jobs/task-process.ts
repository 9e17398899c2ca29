import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';

export interface TaskLimits {
  memoryMb: number;
  diskMb: number;
}

/**
 * The shell script that applies the limits and then runs the command: `ulimit -v` caps the address space (memory)
 * and `ulimit -f` the size of any file written (disk; the scratch directory is also measured while it runs). The
 * command itself travels in an environment variable, so no quoting can change what runs.
 */
export function limitedShellScript(limits: TaskLimits): string {
  const lines: string[] = [];
  if (limits.memoryMb > 0) lines.push(`ulimit -v ${limits.memoryMb * 1024} || exit 125`);
  // POSIX sh counts -f in 512-byte blocks.
  if (limits.diskMb > 0) lines.push(`ulimit -f ${limits.diskMb * 2048} || exit 125`);
  lines.push('eval "$COFFER_TASK_COMMAND"');
  return lines.join('\n');
}

export interface RunAs {
  uid: number;
  gid: number;
  home: string;
}

/**
 * The operating-system user to run as. No user (or the agent's own) runs as the agent. Another user needs the
 * agent to run as root; otherwise the task fails rather than run with the wrong identity.
 */
export function resolveRunAs(user: string | null | undefined): RunAs | undefined {
  const self = os.userInfo();
  if (!user || user === self.username) return undefined;
  if (process.getuid?.() !== 0) throw new Error(`cannot run as user "${user}": the agent runs as "${self.username}", not as root`);
  const id = (flag: string) => Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim());
  let uid: number;
  let gid: number;
  try {
    uid = id('-u');
    gid = id('-g');
  } catch {
    throw new Error(`no user "${user}" on this host`);
  }
  const home = execFileSync('sh', ['-c', 'getent passwd "$1" | cut -d: -f6', 'sh', user], { encoding: 'utf8' }).trim() || '/';
  return { uid, gid, home };
}

/** Starts the command in its own process group, so cancelling can end it and everything it started. */
export function startTaskProcess(command: string, cwd: string, limits: TaskLimits, runAs: RunAs | undefined, env: Record<string, string>): ChildProcess {
  return spawn('/bin/sh', ['-c', limitedShellScript(limits)], {
    cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    uid: runAs?.uid,
    gid: runAs?.gid,
    env: { ...process.env, ...(runAs ? { HOME: runAs.home } : {}), ...env, COFFER_TASK_COMMAND: command },
  });
}

/** SIGTERM to the whole group, SIGKILL after a grace period if anything is left. */
export function killGroup(child: ChildProcess, graceMs = 3_000): void {
  if (child.pid === undefined) return;
  const pid = child.pid;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      // the group is gone already
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), graceMs);
  timer.unref();
  child.once('exit', () => {
    // Children of the command may outlive it: make sure the group is gone.
    setTimeout(() => signal('SIGKILL'), 200).unref();
  });
}
