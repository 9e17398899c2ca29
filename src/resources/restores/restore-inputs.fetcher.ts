import type { Kysely } from 'kysely';
import { AppError, badRequest } from '../../errors/app-error.js';
import type { Database } from '../../store/database.js';
import type { Agent } from '../agents/agent.js';
import { findAgent } from '../agents/agent.fetcher.js';
import { loadRestorability, type Restorability } from '../backups/backup-restorable.js';
import type { Job } from '../jobs/job.js';
import { fetchJob } from '../jobs/job.fetcher.js';
import { recoveryKeyStore } from '../recovery-keys/recovery-key.store.js';
import type { RestoreCreateMessage } from './restore-create.message.js';

export interface RestoreInputs {
  backup: Job;
  destination: Agent;
  /** The agent holding the backup's vault now (a vault move hands it to another agent); null when none does. */
  source: Agent | null;
  restorability: Restorability;
  /** Whether the server keeps a recovery copy of the source vault's key (so another agent can open it). */
  serverHoldsSourceKey: boolean;
}

/** What a restore request names, loaded in the caller's project; a name that is not there is a 400. */
export async function fetchRestoreInputs(db: Kysely<Database>, projectId: string, message: RestoreCreateMessage): Promise<RestoreInputs> {
  const backup = await fetchJob(db, 'backup', projectId, message.backupId).catch((error: unknown) => {
    if (error instanceof AppError && error.kind === 'not_found') throw badRequest('Validation failed.', [`backup_id ${message.backupId} is not a backup of this project.`]);
    throw error;
  });
  const destination = await findAgent(db, projectId, message.destinationAgentId);
  if (!destination) throw badRequest('Validation failed.', [`destination_agent_id ${message.destinationAgentId} is not an agent of this project.`]);
  const restorability = await loadRestorability(db, projectId);
  const sourceId = backup.vaultId === null ? undefined : restorability.vaultAgents.get(backup.vaultId);
  const source = sourceId === undefined ? null : await findAgent(db, projectId, sourceId);
  const serverHoldsSourceKey = source !== null && (await recoveryKeyStore.vaultCopy(db, source.vault.id)) !== null;
  return { backup, destination, source, restorability, serverHoldsSourceKey };
}
