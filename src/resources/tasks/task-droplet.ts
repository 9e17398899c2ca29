import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.js';
import { isRestorable, loadRestorability } from '../backups/backup-restorable.js';
import { jobFromRow } from '../jobs/job.js';
import { resourceNotFound } from '../../errors/v3-catalogue.js';

/**
 * A task's `droplet_guid` names a backup of the same agent that is restorable by the backups' own rule (finished with
 * a snapshot, within its configuration's retention, not cleaned up, its vault still attached to an agent of the
 * project). Anything else is 404 "Droplet not found", as for a droplet of another app.
 */
export async function assertRestorableBackup(db: Kysely<Database>, agent: { id: string; projectId: string }, backupId: string, now = new Date()): Promise<void> {
  const row = await db
    .selectFrom('jobs')
    .selectAll()
    .where('id', '=', backupId)
    .where('kind', '=', 'backup')
    .where('agent_id', '=', agent.id)
    .where('project_id', '=', agent.projectId)
    .executeTakeFirst();
  if (!row) throw resourceNotFound('Droplet');
  const view = await loadRestorability(db, agent.projectId, now);
  if (!isRestorable(jobFromRow(row), view)) throw resourceNotFound('Droplet');
}
