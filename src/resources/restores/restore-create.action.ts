import type { AppContext } from '../../server/context.js';
import type { Tx } from '../../store/store.js';
import type { Agent } from '../agents/agent.js';
import type { Job } from '../jobs/job.js';
import { insertJob } from '../jobs/job-insert.js';
import type { RestoreCreateMessage } from './restore-create.message.js';
import type { RestoreDetails } from './restore-details.js';
import { RestoreState } from '../../domain/job-states.js';

/**
 * Creates the restore (its agent is the destination agent, its configuration the backup's) and hands the work to
 * the destination agent in a `restore_start_request` event, the only place the vault password travels.
 */
export async function createRestore(ctx: AppContext, backup: Job, source: Agent, destination: Agent, message: RestoreCreateMessage): Promise<Job> {
  return ctx.store.transaction((tx) => insertRestore(ctx, tx, backup, source, destination, message));
}

/**
 * The restore's writes inside the caller's transaction. `drill`: the restore of a drill run, into its scratch folder,
 * which the agent must find absent or empty (and removes again when the restore does not complete).
 */
export async function insertRestore(ctx: AppContext, tx: Tx, backup: Job, source: Agent, destination: Agent, message: RestoreCreateMessage, drill?: { runId: string }): Promise<Job> {
  const details: RestoreDetails = {
    destination_path: message.destinationPath,
    overwrite_files: message.overwriteFiles,
    inclusions: message.inclusions,
    exclusions: message.exclusions,
    source_agent_id: source.id,
    ...(drill ? { drill_run_id: drill.runId } : {}),
  };
  const job = await insertJob(tx, {
    projectId: backup.projectId,
    kind: 'restore',
    agentId: destination.id,
    configurationId: backup.configurationId,
    backupId: backup.id,
    state: RestoreState.start_requested,
    details: { ...details },
  });
  await ctx.events.record(tx, {
    projectId: backup.projectId,
    agentId: destination.id,
    configurationId: backup.configurationId,
    subjectId: job.id,
    name: 'restore_start_request',
    body: {
      agent: { id: destination.id },
      source_agent: { id: source.id, vault: { id: source.vault.id, encrypted: source.vault.encrypted } },
      configuration: { id: backup.configurationId },
      backup: { id: backup.id, snapshot_id: backup.snapshotId },
      restore: {
        id: job.id,
        destination_path: details.destination_path,
        overwrite_files: details.overwrite_files,
        inclusions: details.inclusions,
        exclusions: details.exclusions,
        ...(drill ? { scratch: true, drill_run: { id: drill.runId } } : {}),
      },
      request_id: job.id,
      encrypted_password_hex: message.encryptedPasswordHex,
    },
  });
  return job;
}
