import { get, patch, post, v2, v3 } from './api.js';

export const TERMINAL = ['completed', 'completed_with_errors', 'failed', 'stopped', 'skipped', 'missed', 'passed', 'SUCCEEDED', 'FAILED'];
export const isTerminal = (state) => TERMINAL.includes(state);

/** Agents with their `{online, busy}` status (null when the server cannot tell). */
export async function agentsWithStatus() {
  const { agents } = await get(v2('agents'));
  const statuses = await Promise.all(agents.map((a) => get(v2('agents', a.id, 'status'), { accept: [404, 405] }).catch(() => null)));
  return agents.map((agent, i) => ({ ...agent, status: statuses[i] && typeof statuses[i].online === 'boolean' ? statuses[i] : null }));
}

export function agentStatusWord(agent) {
  if (!agent.status) return 'unknown';
  if (!agent.status.online) return 'offline';
  return agent.status.busy ? 'busy' : 'online';
}

export async function configurations() {
  return (await get(v2('configurations'))).configurations;
}

export function jobPath(kind, id, ...rest) {
  return kind === 'task' ? v3('tasks', id, ...rest) : v2(`${kind}s`, id, ...rest);
}

export async function startBackup(configurationId) {
  return post(v2('backups'), { configuration_id: configurationId, state: 'start_requested' });
}

export async function startCleanup(agentId) {
  return post(v2('cleanups'), { agent_id: agentId, state: 'start_requested' });
}

export async function startRestore({ backupId, agentId, path, overwrite }) {
  return post(v2('restores'), {
    backup_id: backupId,
    destination_agent_id: agentId,
    destination_path: path || null,
    overwrite_files: Boolean(overwrite),
    encrypted_password_hex: null,
    inclusions: [],
    exclusions: [],
  });
}

export async function runTask({ agentId, command, name }) {
  const body = { command };
  if (name) body.name = name;
  return post(v3('agents', agentId, 'tasks'), body);
}

export async function stopJob(kind, id) {
  if (kind === 'task') return post(v3('tasks', id, 'actions', 'cancel'));
  return patch(v2(`${kind}s`, id), [{ op: 'replace', path: '/state', value: 'stop_requested' }]);
}

/** The page that shows a job. */
export function jobHref(kind, id) {
  return `#/jobs/${kind}/${encodeURIComponent(id)}`;
}
