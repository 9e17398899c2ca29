import type { Kysely } from 'kysely';
import type { RetentionPlan, RetentionPolicy } from '../../domain/retention/index.js';
import type { Database } from '../../store/database.js';
import { loadRetentionCandidates, planFor, type RetentionCandidate } from '../backups/retention-candidates.js';
import { retentionTimeZone, type Configuration } from './configuration.js';

export interface ConfigurationRetentionPlan {
  configuration: Configuration;
  policy: RetentionPolicy;
  timeZone: string;
  evaluatedAt: Date;
  plan: RetentionPlan<RetentionCandidate>;
}

/**
 * What a policy keeps of a configuration's backups now, and why, and what it lets go: the same plan that
 * `restorable` follows and that the agent's next cleanup carries out.
 */
export async function fetchRetentionPlan(db: Kysely<Database>, configuration: Configuration, policy: RetentionPolicy, now = new Date()): Promise<ConfigurationRetentionPlan> {
  const timeZone = retentionTimeZone(configuration);
  const candidates = await loadRetentionCandidates(db, configuration.projectId, [configuration.id]);
  return { configuration, policy, timeZone, evaluatedAt: now, plan: planFor({ id: configuration.id, retention: policy, timeZone }, candidates, now) };
}
