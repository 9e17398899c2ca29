import { BodyCheck } from '../common/body-check.js';
import { ACTIVATION_MODES, type ActivationMode } from '../agents/agent-activity.js';

export const VAULT_DB_DOWNLOAD_EVENTS = ['vault_db_download_in_progress', 'vault_db_download_completed', 'vault_db_download_failed'] as const;
const AGENT_EVENTS = ['startup', 'shutdown', 'agent_activate', 'agent_heartbeat', 'backup_progress', 'restore_progress', ...VAULT_DB_DOWNLOAD_EVENTS] as const;

/** What an agent (or, for agent_activate, a user) posts to `/agents/{id}/events`. */
export type AgentEventMessage =
  | { event: 'startup' | 'shutdown' | 'agent_heartbeat' }
  | { event: 'agent_activate'; mode: ActivationMode }
  | {
      event: 'backup_progress' | 'restore_progress';
      jobId: string;
      bytesCompleted: number;
      bytesRemaining: number;
      totalBytes: number;
      /** Extension: file counts, sent by Coffer's agent; older agents leave them out. */
      filesCompleted?: number;
      totalFiles?: number;
    }
  | { event: (typeof VAULT_DB_DOWNLOAD_EVENTS)[number]; requestId: string | null };

export function parseAgentEvent(body: unknown): AgentEventMessage {
  const check = BodyCheck.object(body);
  const event = check.oneOf('event', AGENT_EVENTS, { required: true });
  check.done();
  switch (event) {
    case 'agent_activate': {
      const mode = check.oneOf('mode', ACTIVATION_MODES, { required: true });
      check.done();
      return { event, mode: mode as ActivationMode };
    }
    case 'backup_progress':
    case 'restore_progress': {
      const kind = event === 'backup_progress' ? 'backup' : 'restore';
      // `backup: {id}` as events carry it, or a flat `backup_id`.
      const nested = check.string(`${kind}.id`);
      const flat = check.string(`${kind}_id`);
      const jobId = nested ?? flat;
      if (!jobId) check.problem(`${kind}.id is required.`);
      const bytesCompleted = check.integer('bytes_completed', { required: true, min: 0 });
      const bytesRemaining = check.integer('bytes_remaining', { required: true, min: 0 });
      const totalBytes = check.integer('total_bytes', { required: true, min: 0 });
      const filesCompleted = check.integer('files_completed', { min: 0 });
      const totalFiles = check.integer('total_files', { min: 0 });
      check.done();
      return { event, jobId: jobId as string, bytesCompleted: bytesCompleted!, bytesRemaining: bytesRemaining!, totalBytes: totalBytes!, filesCompleted, totalFiles };
    }
    case 'vault_db_download_in_progress':
    case 'vault_db_download_completed':
    case 'vault_db_download_failed': {
      const requestId = check.string('request_id', { nullable: true }) ?? null;
      check.done();
      return { event, requestId };
    }
    default:
      return { event: event as 'startup' | 'shutdown' | 'agent_heartbeat' };
  }
}

export function parseProjectEvent(body: unknown): { mode: ActivationMode } {
  const check = BodyCheck.object(body);
  check.oneOf('event', ['agent_activate'] as const, { required: true });
  const mode = check.oneOf('mode', ACTIVATION_MODES, { required: true });
  check.done();
  return { mode: mode as ActivationMode };
}
