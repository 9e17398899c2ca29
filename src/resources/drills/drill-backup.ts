import type { Tx } from '../../store/store.js';
import { isRestorable, loadRestorability, type Restorability } from '../backups/backup-restorable.js';
import { jobFromRow, type Job } from '../jobs/job.js';
import { BackupState } from '../../domain/job-states.js';

const CANDIDATES = 20;

/**
 * The backup a drill restores: the configuration's latest backup that completed (without errors) and is still
 * restorable by the backups' own rule. Undefined when there is none.
 */
export async function latestSuccessfulBackup(tx: Tx, projectId: string, configurationId: string, now: Date): Promise<{ backup: Job; restorability: Restorability } | undefined> {
  const rows = await tx.db
    .selectFrom('jobs')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('configuration_id', '=', configurationId)
    .where('kind', '=', 'backup')
    .where('state', '=', BackupState.completed)
    .where('snapshot_id', 'is not', null)
    .orderBy('seq', 'desc')
    .limit(CANDIDATES)
    .execute();
  if (rows.length === 0) return undefined;
  const restorability = await loadRestorability(tx.db, projectId, now);
  const backups = rows.map(jobFromRow).sort((a, b) => (b.endedTime ?? b.updatedAt).localeCompare(a.endedTime ?? a.updatedAt));
  const backup = backups.find((candidate) => isRestorable(candidate, restorability));
  return backup ? { backup, restorability } : undefined;
}
