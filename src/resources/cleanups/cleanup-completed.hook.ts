import type { Tx } from '../../store/store.js';
import type { Job } from '../jobs/job.js';
import { CleanupState, isOneOf } from '../../domain/job-states.js';

const FINISHED_WITH_RESULTS = [CleanupState.completed, CleanupState.completed_with_errors];

/**
 * When a cleanup finishes, the snapshots it reports removed are gone from the agent's vault: the backups that
 * point at them are no longer restorable.
 */
export async function markPrunedBackups(tx: Tx, before: Job, after: Job): Promise<void> {
  if (!isOneOf(FINISHED_WITH_RESULTS, after.state) || isOneOf(FINISHED_WITH_RESULTS, before.state)) return;
  const snapshotIds = (after.results.snapshot_ids as number[] | undefined) ?? [];
  if (snapshotIds.length === 0) return;
  const agent = await tx.db.selectFrom('agents').select('vault_id').where('id', '=', after.agentId).executeTakeFirst();
  if (!agent) return;
  await tx.db
    .updateTable('jobs')
    .set({ pruned_by: after.id })
    .where('kind', '=', 'backup')
    .where('project_id', '=', after.projectId)
    .where('vault_id', '=', agent.vault_id)
    .where('snapshot_id', 'in', snapshotIds)
    .where('pruned_by', 'is', null)
    .execute();
}
