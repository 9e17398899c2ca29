import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.js';
import { resourceNotFound } from './v3-errors.js';

const DAY_MS = 24 * 3600 * 1000;

/**
 * A task's `droplet_guid` names a restorable backup of the same agent: a completed (or completed_with_errors) backup
 * with a snapshot, not past its configuration's retention (`retention.days` 0 keeps forever, counted from the
 * backup's ended_time). Anything else is 404 "Droplet not found", as for a droplet of another app.
 */
export async function assertRestorableBackup(db: Kysely<Database>, agentId: string, backupId: string, now = new Date()): Promise<void> {
  const row = await db
    .selectFrom('jobs')
    .leftJoin('configurations', 'configurations.id', 'jobs.configuration_id')
    .select(['jobs.ended_time', 'configurations.retention_days'])
    .where('jobs.id', '=', backupId)
    .where('jobs.kind', '=', 'backup')
    .where('jobs.agent_id', '=', agentId)
    .where('jobs.state', 'in', ['completed', 'completed_with_errors'])
    .where('jobs.snapshot_id', 'is not', null)
    .executeTakeFirst();
  if (!row) throw resourceNotFound('Droplet');
  const days = row.retention_days === null ? 0 : Number(row.retention_days);
  if (days > 0 && row.ended_time !== null && Date.parse(row.ended_time) + days * DAY_MS < now.getTime()) throw resourceNotFound('Droplet');
}
