import type { AppContext } from '../../server/context.js';
import type { Configuration } from '../configurations/configuration.js';
import type { Job } from '../jobs/job.js';
import { insertJob } from '../jobs/job-insert.js';
import { placeNewBackup, recordStartRequest, takeAdmissionTurn } from '../queue/backup-admission.js';
import { jobEventRefs } from '../jobs/job-events.js';
import type { BackupCreateMessage } from './backup-create.message.js';
import { BackupState } from '../../domain/job-states.js';

/**
 * Creates the backup in the queue's order (see resources/queue/backup-admission.ts). When it may run now it keeps
 * its start state, and a user's request reaches the agent as a `backup_start_request` event (an agent's own
 * scheduled backup it simply runs). When it must wait, the server puts it in `queued` with a `backup_queued` event;
 * its start request follows when a slot frees. `vaultId`: the agent's vault, which the backup will be written to.
 */
export async function createBackup(ctx: AppContext, configuration: Configuration, vaultId: string, message: BackupCreateMessage): Promise<Job> {
  return ctx.store.transaction(async (tx) => {
    await takeAdmissionTurn(tx);
    const place = await placeNewBackup(ctx, tx, { projectId: configuration.projectId, agentId: configuration.agentId, startState: message.state });
    const job = await insertJob(tx, {
      projectId: configuration.projectId,
      kind: 'backup',
      agentId: configuration.agentId,
      configurationId: configuration.id,
      state: place === 'admitted' ? message.state : BackupState.queued,
      startedBy: message.state,
      vaultId,
      admission: place,
    });
    if (place === 'waiting') {
      await ctx.events.record(tx, { projectId: job.projectId, agentId: job.agentId, configurationId: job.configurationId, subjectId: job.id, name: 'backup_queued', body: jobEventRefs(job) });
    } else if (message.state === BackupState.start_requested) {
      await recordStartRequest(ctx, tx, job);
    }
    return job;
  });
}
