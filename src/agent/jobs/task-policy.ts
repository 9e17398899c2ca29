/**
 * What the host's owner allows tasks to do, from the agent configuration file (`"tasks": {…}`). The server never
 * decides this: it only learns whether tasks are on, and the agent checks every task against this policy itself.
 */
export interface TaskSettings {
  /** Tasks are refused unless this is true. */
  enabled?: boolean;
  /** The unprivileged account tasks run as (default `nobody`). */
  user?: string;
  /** Other accounts a task may ask for by its `user` field. Never root, never the agent's own account. */
  users?: string[];
  /** When set, only commands that are one of these prefixes, or one of them followed by a space and arguments. */
  allowedCommands?: string[];
}

export const DEFAULT_TASK_USER = 'nobody';

/** Characters by which a shell command could run more than its first word allows: chaining, substitution, redirection. */
const SHELL_CONTROL = /[;&|`$<>()\n\r\\]/;
const ACCOUNT_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?$/;

export type TaskDecision = { allowed: true; user: string } | { allowed: false; reason: string };

export function decideTask(settings: TaskSettings | undefined, task: { command: string; user: string | null }, configPath: string): TaskDecision {
  if (settings?.enabled !== true) {
    return {
      allowed: false,
      reason: `tasks are disabled on this agent; its owner enables them with "coffer agent register --allow-tasks" or "tasks": {"enabled": true} in ${configPath}`,
    };
  }
  const defaultUser = settings.user ?? DEFAULT_TASK_USER;
  const user = task.user ?? defaultUser;
  if (user !== defaultUser && !(settings.users ?? []).includes(user)) {
    return { allowed: false, reason: `this agent runs tasks as "${defaultUser}"; user "${user}" is not in the host's list of task users ("tasks.users" in ${configPath})` };
  }
  const prefixes = settings.allowedCommands;
  if (prefixes !== undefined) {
    if (SHELL_CONTROL.test(task.command)) {
      return { allowed: false, reason: 'this agent allows only listed commands, and a command under an allow-list may not hold ; & | ` $ < > ( ) \\ or line breaks' };
    }
    const command = task.command.trim();
    if (!prefixes.some((prefix) => command === prefix || command.startsWith(`${prefix} `))) {
      return { allowed: false, reason: `the command is not on this agent's allow-list ("tasks.allowedCommands" in ${configPath}: ${prefixes.map((p) => JSON.stringify(p)).join(', ')})` };
    }
  }
  return { allowed: true, user };
}

/** Problems of a `tasks` section of the configuration file, each naming its key; empty when it is sound. */
export function taskSettingsProblems(value: unknown): string[] {
  if (value === undefined) return [];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return ['"tasks" must be an object'];
  const settings = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(settings)) if (!['enabled', 'user', 'users', 'allowedCommands'].includes(key)) problems.push(`"tasks.${key}" is not a task setting`);
  if (settings.enabled !== undefined && typeof settings.enabled !== 'boolean') problems.push('"tasks.enabled" must be true or false');
  const accounts = [...(settings.user === undefined ? [] : [settings.user]), ...(Array.isArray(settings.users) ? settings.users : [])];
  if (settings.users !== undefined && !Array.isArray(settings.users)) problems.push('"tasks.users" must be a list of account names');
  for (const account of accounts) {
    if (typeof account !== 'string' || !ACCOUNT_NAME.test(account)) problems.push(`"tasks" names an invalid account ${JSON.stringify(account)}`);
    else if (account === 'root') problems.push('tasks never run as root');
  }
  const prefixes = settings.allowedCommands;
  if (prefixes !== undefined && (!Array.isArray(prefixes) || prefixes.some((p) => typeof p !== 'string' || p.trim() === '' || p !== p.trim() || SHELL_CONTROL.test(p)))) {
    problems.push('"tasks.allowedCommands" must be a list of command prefixes without surrounding spaces or shell control characters');
  }
  return problems;
}
