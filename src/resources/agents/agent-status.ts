import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.js';
import { effectiveMode, isOnline } from './agent-activity.js';
import { JobState } from '../../domain/job-states.js';

/** States in which a job is not being worked on: not yet picked up, or over (a backup waiting in the queue neither). */
const IDLE_JOB_STATES = [JobState.start_requested, JobState.start_scheduled, JobState.completed, JobState.completed_with_errors, JobState.failed, JobState.stopped, JobState.skipped, JobState.missed];

/**
 * §3.1 Decision: busy = a backup, restore or cleanup of the agent is under way; online = the agent was heard from
 * (any authenticated request or heartbeat) within its mode's heartbeat timeout.
 */
export async function agentStatus(db: Kysely<Database>, agentId: string, idleHeartbeatMs: number, now = new Date()): Promise<{ busy: boolean; online: boolean }> {
  const agent = await db.selectFrom('agents').select(['last_seen_at', 'activation_mode', 'activation_until']).where('id', '=', agentId).executeTakeFirstOrThrow();
  const working = await db
    .selectFrom('jobs')
    .select('id')
    .where('agent_id', '=', agentId)
    .where('state', 'not in', IDLE_JOB_STATES)
    .where((eb) => eb.or([eb('admission', 'is', null), eb('admission', '!=', 'waiting')]))
    .limit(1)
    .executeTakeFirst();
  return { busy: working !== undefined, online: isOnline(agent.last_seen_at, effectiveMode(agent.activation_mode, agent.activation_until, now), now, idleHeartbeatMs) };
}
