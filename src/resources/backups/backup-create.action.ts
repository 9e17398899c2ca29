import type { AppContext } from '../../server/context.js';
import type { Configuration } from '../configurations/configuration.js';
import type { Job } from '../jobs/job.js';
import { insertJob } from '../jobs/job-insert.js';
import type { BackupCreateMessage } from './backup-create.message.js';

/** Creates the backup and, for a user's request, tells the agent through a `backup_start_request` event. */
/** `vaultId`: the agent's vault, which the backup will be written to. */
export async function createBackup(ctx: AppContext, configuration: Configuration, vaultId: string, message: BackupCreateMessage): Promise<Job> {
  return ctx.store.transaction(async (tx) => {
    const job = await insertJob(tx, {
      projectId: configuration.projectId,
      kind: 'backup',
      agentId: configuration.agentId,
      configurationId: configuration.id,
      state: message.state,
      vaultId,
    });
    if (message.state === 'start_requested') {
      await ctx.events.record(tx, {
        projectId: configuration.projectId,
        agentId: configuration.agentId,
        configurationId: configuration.id,
        subjectId: job.id,
        name: 'backup_start_request',
        body: {
          agent: { id: configuration.agentId },
          configuration: { id: configuration.id },
          backup: { id: job.id },
          request_id: job.id,
        },
      });
    }
    return job;
  });
}
