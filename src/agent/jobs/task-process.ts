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

/**
 * The account a task runs as: an unprivileged one the agent switches to, never root and never the agent's own
 * account (which can read the agent's configuration file with its credentials). So tasks need an agent running as
 * root, which drops to the account when it starts the command.
 */
export function resolveTaskAccount(user: string): RunAs {
  const runAs = resolveRunAs(user);
  if (!runAs) throw new Error(`tasks never run as the agent's own user "${user}": they could read the agent's credentials`);
  if (runAs.uid === 0) throw new Error(`tasks never run as a user with uid 0 ("${user}")`);
  return runAs;
}

/** The whole environment of a task: nothing of the agent's own (which may hold passwords) except the basics. */
export function taskEnvironment(runAs: RunAs | undefined, user: string | undefined, extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH || '/usr/local/bin:/usr/bin:/bin', SHELL: '/bin/sh' };
  for (const key of ['LANG', 'LC_ALL', 'TZ']) if (process.env[key]) env[key] = process.env[key] as string;
  if (runAs) env.HOME = runAs.home;
  else if (process.env.HOME) env.HOME = process.env.HOME;
  if (user) Object.assign(env, { USER: user, LOGNAME: user });
  return { ...env, ...extra };
}

/**
 * Starts the command in its own process group, so cancelling can end it and everything it started. With `runAs`
 * the child switches to that uid and gid (and drops supplementary groups) before it runs anything; it inherits no
 * file descriptor but its three standard streams.
 */
export function startTaskProcess(command: string, cwd: string, limits: TaskLimits, runAs: RunAs | undefined, env: Record<string, string>, user?: string): ChildProcess {
  return spawn('/bin/sh', ['-c', limitedShellScript(limits)], {
    cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    uid: runAs?.uid,
    gid: runAs?.gid,
    env: { ...taskEnvironment(runAs, user, env), COFFER_TASK_COMMAND: command },
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
