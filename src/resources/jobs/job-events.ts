import type { Job } from './job.js';
import { JobState } from '../../domain/job-states.js';

/** The `agent` / `configuration` / job references every job event carries (docs/reference/rackspace-cloud-backup-v2.md §3.7). */
export function jobEventRefs(job: Job): Record<string, unknown> {
  const refs: Record<string, unknown> = { agent: { id: job.agentId } };
  if (job.kind !== 'cleanup') refs.configuration = { id: job.configurationId };
  refs[job.kind] = { id: job.id };
  return refs;
}

/** Event name for a job reaching `state`; completed_with_errors has no event of its own. */
export function stateEventName(job: Job, state: string): string {
  if (state === JobState.completed_with_errors) return `${job.kind}_completed`;
  if (state === JobState.stop_requested) return `${job.kind}_stop_request`;
  return `${job.kind}_${state}`;
}
