import { randomUUID } from 'node:crypto';
import { JOB_MACHINES } from '../../domain/state-machines/job-machines.js';
import { conflict, notFound } from '../../errors/app-error.js';
import { jobTitle } from '../jobs/job.js';
import type { AppContext } from '../../server/context.js';
import type { Urls } from '../../server/links.js';
import { fetchJob } from '../jobs/job.fetcher.js';
import { jobEventRefs } from '../jobs/job-events.js';
import { activateAgents } from './agent-activate.action.js';
import type { AgentEventMessage } from './agent-event-post.message.js';
import { announcePendingWork } from './agent-startup.action.js';

/** What an agent says about itself on `POST /agents/{id}/events`. */
export async function postAgentEvent(ctx: AppContext, projectId: string, agentId: string, message: AgentEventMessage, urls: Urls): Promise<void> {
  const now = new Date().toISOString();
  switch (message.event) {
    case 'startup':
      await announcePendingWork(ctx, projectId, agentId, urls);
      return;
    case 'agent_activate':
      await activateAgents(ctx, projectId, agentId, message.mode);
      return;
    case 'shutdown':
      await ctx.store.transaction(async (tx) => {
        await tx.db.updateTable('agents').set({ activation_mode: 'idle', activation_until: null }).where('id', '=', agentId).execute();
        await ctx.events.record(tx, { projectId, agentId, name: 'agent_shutdown', body: { agent: { id: agentId }, request_id: randomUUID() } });
      });
      return;
    case 'agent_heartbeat':
      await ctx.store.transaction(async (tx) => {
        await tx.db.updateTable('agents').set({ last_seen_at: now, last_heartbeat_event_at: now }).where('id', '=', agentId).execute();
        await ctx.events.record(tx, { projectId, agentId, name: 'agent_heartbeat', body: { agent: { id: agentId } } });
      });
      return;
    case 'backup_progress':
    case 'restore_progress': {
      const kind = message.event === 'backup_progress' ? 'backup' : 'restore';
      const job = await fetchJob(ctx.store.db, kind, projectId, message.jobId);
      // Another agent's job is as invisible to this agent as an unknown one.
      if (job.agentId !== agentId) throw notFound(`${jobTitle(kind)} not found.`);
      if (JOB_MACHINES[kind].terminal.includes(job.state)) throw conflict(JOB_MACHINES[kind].terminalMessage);
      await ctx.store.transaction(async (tx) => {
        await ctx.events.record(tx, {
          projectId,
          agentId,
          configurationId: job.configurationId,
          subjectId: job.id,
          name: message.event,
          body: {
            ...jobEventRefs(job),
            bytes_completed: message.bytesCompleted,
            bytes_remaining: message.bytesRemaining,
            total_bytes: message.totalBytes,
            ...(message.filesCompleted !== undefined ? { files_completed: message.filesCompleted } : {}),
            ...(message.totalFiles !== undefined ? { total_files: message.totalFiles } : {}),
          },
        });
      });
      return;
    }
    default:
      await ctx.store.transaction(async (tx) => {
        await ctx.events.record(tx, {
          projectId,
          agentId,
          subjectId: message.requestId,
          name: message.event,
          body: { agent: { id: agentId }, request_id: message.requestId },
        });
      });
  }
}
