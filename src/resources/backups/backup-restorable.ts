import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Database } from '../../store/database.js';
import { toWireTime } from '../../server/time.js';
import type { Job } from '../jobs/job.js';

/**
 * §3.3 Decision: a backup can be restored when it finished with data (completed or completed_with_errors, with a
 * snapshot id), its configuration's retention has not expired it, no cleanup has removed its snapshot, and its vault is still attached to an agent of
 * the project. Retention counts whole days from the backup's end (or, when the agent never reported one, its last
 * update); `days: 0` keeps it forever.
 */
export const RESTORABLE_STATES = ['completed', 'completed_with_errors'] as const;

const MS_PER_DAY = 86_400_000;

/** What judging restorability needs beside the job, loaded once per request for the whole project. */
export interface Restorability {
  projectId: string;
  /** Configuration id → retention days, for every configuration (deleted ones included). */
  retentions: ReadonlyMap<string, number>;
  /** Vault id → the agent it is attached to now. */
  vaultAgents: ReadonlyMap<string, string>;
}

export async function loadRestorability(db: Kysely<Database>, projectId: string): Promise<Restorability> {
  const [configurations, agents] = await Promise.all([
    db.selectFrom('configurations').select(['id', 'retention_days']).where('project_id', '=', projectId).execute(),
    db.selectFrom('agents').select(['id', 'vault_id']).where('project_id', '=', projectId).execute(),
  ]);
  return {
    projectId,
    retentions: new Map(configurations.map((row) => [row.id, Number(row.retention_days)])),
    vaultAgents: new Map(agents.map((row) => [row.vault_id, row.id])),
  };
}

function cutoff(days: number, now: Date): string {
  return toWireTime(new Date(now.getTime() - days * MS_PER_DAY));
}

export function isRestorable(job: Job, view: Restorability, now: Date): boolean {
  if (job.kind !== 'backup' || !(RESTORABLE_STATES as readonly string[]).includes(job.state) || job.snapshotId === null) return false;
  if (job.prunedBy !== null) return false;
  if (job.vaultId === null || !view.vaultAgents.has(job.vaultId)) return false;
  const days = job.configurationId === null ? undefined : view.retentions.get(job.configurationId);
  if (days === undefined) return false;
  return days === 0 || (job.endedTime ?? job.updatedAt) >= cutoff(days, now);
}

/**
 * The same rule as a SQL condition on `jobs`, grouped by retention so the condition stays small; null when no
 * backup of the project can be restorable.
 */
export function restorableCondition(view: Restorability, now: Date) {
  const byDays = new Map<number, string[]>();
  for (const [id, days] of view.retentions) byDays.set(days, [...(byDays.get(days) ?? []), id]);
  if (byDays.size === 0 || view.vaultAgents.size === 0) return null;
  return (eb: ExpressionBuilder<Database, 'jobs'>) => {
    const windows = [...byDays].map(([days, ids]) =>
      days === 0
        ? eb('jobs.configuration_id', 'in', ids)
        : eb.and([eb('jobs.configuration_id', 'in', ids), eb(eb.fn.coalesce('jobs.ended_time', 'jobs.updated_at'), '>=', cutoff(days, now))]),
    );
    return eb.and([
      eb('jobs.kind', '=', 'backup'),
      eb('jobs.state', 'in', [...RESTORABLE_STATES]),
      eb('jobs.snapshot_id', 'is not', null),
      eb('jobs.pruned_by', 'is', null),
      eb('jobs.vault_id', 'in', eb.selectFrom('agents').select('agents.vault_id').where('agents.project_id', '=', view.projectId)),
      eb.or(windows),
    ]);
  };
}
