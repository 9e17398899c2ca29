import type { Tx } from '../../store/store.js';
import type { Job } from '../jobs/job.js';
import { RESTORABLE_STATES } from './backup-restorable.js';

const COMPLETED = RESTORABLE_STATES as readonly string[];

/**
 * A backup that reaches completed (or completed_with_errors) becomes its configuration's `last_completed`, unless a
 * backup started after it has already completed (reports can arrive out of order).
 */
export async function recordLastCompleted(tx: Tx, before: Job, after: Job): Promise<void> {
  if (after.configurationId === null || before.state === after.state || !COMPLETED.includes(after.state)) return;
  await tx.db
    .updateTable('configurations')
    .set({ last_completed_backup_id: after.id })
    .where('id', '=', after.configurationId)
    .where((eb) =>
      eb.or([
        eb('last_completed_backup_id', 'is', null),
        eb.not(eb.exists(eb.selectFrom('jobs').select('jobs.id').whereRef('jobs.id', '=', 'configurations.last_completed_backup_id').where('jobs.seq', '>', after.seq))),
      ]),
    )
    .execute();
}
