import type { ExpressionBuilder, Kysely } from 'kysely';
import { hasKeepRules } from '../../domain/retention/index.js';
import type { Database } from '../../store/database.js';
import { toWireTime } from '../../server/time.js';
import { configurationFromRow, retentionTimeZone } from '../configurations/configuration.js';
import type { Job } from '../jobs/job.js';
import { keepsEverything, loadRetentionCandidates, planFor, RESTORABLE_STATES } from './retention-candidates.js';

/**
 * §3.3 Decision: a backup can be restored when it finished with data (completed or completed_with_errors, with a
 * snapshot id), its configuration's retention policy keeps it, no cleanup has removed its snapshot, and its vault
 * is still attached to an agent of the project. The policy is judged as the retention dry run shows it (one plan,
 * see retention-candidates.ts), at the time the view is loaded. Policies without keep rules need no plan: `days: 0`
 * keeps every backup, `days: N` those whose end (or last update) is at most N days old, a condition SQL evaluates.
 */
export { RESTORABLE_STATES };

const MS_PER_DAY = 86_400_000;

/** What judging restorability needs beside the job, loaded once per request for the whole project. */
export interface Restorability {
  projectId: string;
  /** Configurations (deleted ones included) whose policy keeps every backup. */
  keepAll: ReadonlySet<string>;
  /** Configurations whose only rule is `days`: id → the oldest end time kept. */
  keptSince: ReadonlyMap<string, string>;
  /** Backups the policies with keep rules keep. */
  kept: ReadonlySet<string>;
  /** Vault id → the agent it is attached to now (only the vaults asked for, when loadRestorability was given some). */
  vaultAgents: ReadonlyMap<string, string>;
}

/**
 * With `vaultIds` (those of the backups about to be judged), only those vaults' agents are read: a project of
 * thousands of agents then costs one short read per backup shown, not a read of every agent.
 */
export async function loadRestorability(db: Kysely<Database>, projectId: string, now = new Date(), vaultIds?: readonly (string | null)[]): Promise<Restorability> {
  const wanted = vaultIds && [...new Set(vaultIds.filter((id): id is string => id !== null))];
  const [configurationRows, agents] = await Promise.all([
    db.selectFrom('configurations').selectAll().where('project_id', '=', projectId).execute(),
    wanted?.length === 0
      ? []
      : db
          .selectFrom('agents')
          .select(['id', 'vault_id'])
          .where('project_id', '=', projectId)
          .$if(wanted !== undefined, (query) => query.where('vault_id', 'in', wanted!))
          .execute(),
  ]);
  const configurations = configurationRows.map(configurationFromRow);
  const keepAll = new Set(configurations.filter((c) => keepsEverything(c.retention)).map((c) => c.id));
  const keptSince = new Map(configurations.filter((c) => !keepAll.has(c.id) && !hasKeepRules(c.retention)).map((c) => [c.id, toWireTime(new Date(now.getTime() - c.retention.days * MS_PER_DAY))]));
  const planned = configurations.filter((c) => !keepAll.has(c.id) && !keptSince.has(c.id));
  const candidates = await loadRetentionCandidates(
    db,
    projectId,
    planned.map((c) => c.id),
  );
  const kept = new Set<string>();
  for (const configuration of planned) {
    const plan = planFor({ id: configuration.id, retention: configuration.retention, timeZone: retentionTimeZone(configuration) }, candidates, now);
    for (const { item } of plan.keep) kept.add(item.id);
  }
  return { projectId, keepAll, keptSince, kept, vaultAgents: new Map(agents.map((row) => [row.vault_id, row.id])) };
}

/** The fields of a backup that decide whether it is restorable (beside the project's Restorability). */
export type RestorableFields = Pick<Job, 'id' | 'kind' | 'state' | 'snapshotId' | 'prunedBy' | 'vaultId' | 'configurationId' | 'endedTime' | 'updatedAt'>;

export function isRestorable(job: RestorableFields, view: Restorability): boolean {
  if (job.kind !== 'backup' || !(RESTORABLE_STATES as readonly string[]).includes(job.state) || job.snapshotId === null) return false;
  if (job.prunedBy !== null) return false;
  if (job.vaultId === null || !view.vaultAgents.has(job.vaultId)) return false;
  if (job.configurationId === null) return false;
  const since = view.keptSince.get(job.configurationId);
  if (since !== undefined) return (job.endedTime ?? job.updatedAt) >= since;
  return view.keepAll.has(job.configurationId) || view.kept.has(job.id);
}

/** The same rule as a SQL condition on `jobs`; null when no backup of the project can be restorable. */
export function restorableCondition(view: Restorability) {
  if ((view.keepAll.size === 0 && view.keptSince.size === 0 && view.kept.size === 0) || view.vaultAgents.size === 0) return null;
  const bySince = new Map<string, string[]>();
  for (const [id, since] of view.keptSince) bySince.set(since, [...(bySince.get(since) ?? []), id]);
  return (eb: ExpressionBuilder<Database, 'jobs'>) => {
    const kept = [];
    if (view.keepAll.size > 0) kept.push(eb('jobs.configuration_id', 'in', [...view.keepAll]));
    for (const [since, ids] of bySince) kept.push(eb.and([eb('jobs.configuration_id', 'in', ids), eb(eb.fn.coalesce('jobs.ended_time', 'jobs.updated_at'), '>=', since)]));
    if (view.kept.size > 0) kept.push(eb('jobs.id', 'in', [...view.kept]));
    return eb.and([
      eb('jobs.kind', '=', 'backup'),
      eb('jobs.state', 'in', [...RESTORABLE_STATES]),
      eb('jobs.snapshot_id', 'is not', null),
      eb('jobs.pruned_by', 'is', null),
      eb('jobs.vault_id', 'in', eb.selectFrom('agents').select('agents.vault_id').where('agents.project_id', '=', view.projectId)),
      eb.or(kept),
    ]);
  };
}
