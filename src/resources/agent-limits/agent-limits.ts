import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.js';
import { BodyCheck } from '../common/body-check.js';

/** What one agent may do at once. */
export interface AgentLimits {
  /** Backups, restores and cleanups the agent runs at the same time. */
  max_running_jobs: number;
}

export const DEFAULT_AGENT_MAX_RUNNING_JOBS = 1;
export const DEFAULT_AGENT_LIMITS: AgentLimits = { max_running_jobs: DEFAULT_AGENT_MAX_RUNNING_JOBS };
const MAX_JOBS_AT_ONCE = 16;
const FIELDS = ['max_running_jobs'];

/** PUT replaces the limits; an omitted field takes its default, an unknown one is refused. */
export function parseAgentLimits(body: unknown): AgentLimits {
  const check = BodyCheck.object(body);
  for (const key of Object.keys(body as object)) if (!FIELDS.includes(key)) check.problem(`${key} is not a limit; known: ${FIELDS.join(', ')}.`);
  const maxRunning = check.integer('max_running_jobs', { min: 1, max: MAX_JOBS_AT_ONCE });
  check.done();
  return { max_running_jobs: maxRunning ?? DEFAULT_AGENT_MAX_RUNNING_JOBS };
}

export async function readAgentLimits(db: Kysely<Database>, agentId: string): Promise<AgentLimits> {
  const row = await db.selectFrom('agent_limits').selectAll().where('agent_id', '=', agentId).executeTakeFirst();
  if (!row) return DEFAULT_AGENT_LIMITS;
  return { max_running_jobs: row.max_running_jobs };
}

export async function writeAgentLimits(db: Kysely<Database>, agentId: string, limits: AgentLimits): Promise<void> {
  const values = { ...limits, updated_at: new Date().toISOString() };
  await db
    .insertInto('agent_limits')
    .values({ agent_id: agentId, ...values })
    .onConflict((oc) => oc.column('agent_id').doUpdateSet(values))
    .execute();
}
