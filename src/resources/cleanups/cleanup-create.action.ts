import type { AppContext } from '../../server/context.js';
import type { Agent } from '../agents/agent.js';
import type { Job } from '../jobs/job.js';
import { insertJob } from '../jobs/job-insert.js';
import type { CleanupCreateMessage } from './cleanup-create.message.js';
import { CleanupState } from '../../domain/job-states.js';

/** Creates the cleanup and, for a user's request, tells the agent through a `cleanup_start_request` event. */
export async function createCleanup(ctx: AppContext, agent: Agent, message: CleanupCreateMessage): Promise<Job> {
  return ctx.store.transaction(async (tx) => {
    const job = await insertJob(tx, { projectId: agent.projectId, kind: 'cleanup', agentId: agent.id, state: message.state });
    if (message.state === CleanupState.start_requested) {
      await ctx.events.record(tx, {
        projectId: agent.projectId,
        agentId: agent.id,
        subjectId: job.id,
        name: 'cleanup_start_request',
        body: {
          agent: { id: agent.id, vault: { id: agent.vault.id, encrypted: agent.vault.encrypted } },
          cleanup: { id: job.id },
          request_id: job.id,
        },
      });
    }
    return job;
  });
}
