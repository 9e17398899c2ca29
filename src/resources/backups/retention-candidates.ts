import type { Kysely } from 'kysely';
import { hasKeepRules, planRetention, type RetentionItem, type RetentionPlan, type RetentionPolicy } from '../../domain/retention/index.js';
import type { Database } from '../../store/database.js';
import { BackupState } from '../../domain/job-states.js';

/** Backups that count for retention: completed with a snapshot, not removed by a cleanup, in a vault still attached. */
export const RESTORABLE_STATES = [BackupState.completed, BackupState.completed_with_errors] as const;

/** A backup as retention judges it; `time` is its end (or, when the agent never reported one, its last update). */
export interface RetentionCandidate extends RetentionItem {
  configurationId: string;
  snapshotId: number;
  time: string;
}

/** What retention needs to know of a configuration. */
export interface RetentionSubject {
  id: string;
  retention: RetentionPolicy;
  timeZone: string;
}

/** Everything is kept (days 0 and no keep rule): such configurations need no plan. */
export function keepsEverything(retention: RetentionPolicy): boolean {
  return retention.days === 0 && !hasKeepRules(retention);
}

export async function loadRetentionCandidates(db: Kysely<Database>, projectId: string, configurationIds: readonly string[]): Promise<RetentionCandidate[]> {
  if (configurationIds.length === 0) return [];
  const rows = await db
    .selectFrom('jobs')
    .select(['id', 'configuration_id', 'snapshot_id', 'ended_time', 'updated_at'])
    .where('project_id', '=', projectId)
    .where('kind', '=', 'backup')
    .where('configuration_id', 'in', [...configurationIds])
    .where('state', 'in', [...RESTORABLE_STATES])
    .where('snapshot_id', 'is not', null)
    .where('pruned_by', 'is', null)
    .where('vault_id', 'in', db.selectFrom('agents').select('agents.vault_id').where('agents.project_id', '=', projectId))
    .execute();
  return rows.map((row) => {
    const time = row.ended_time ?? row.updated_at;
    return { id: row.id, configurationId: row.configuration_id as string, snapshotId: Number(row.snapshot_id), time, timeMs: Date.parse(time) };
  });
}

/** The plan of one configuration over its candidates (the others in `candidates` are ignored). */
export function planFor(subject: RetentionSubject, candidates: readonly RetentionCandidate[], now: Date): RetentionPlan<RetentionCandidate> {
  const own = candidates.filter((candidate) => candidate.configurationId === subject.id);
  return planRetention(own, subject.retention, now.getTime(), subject.timeZone);
}
