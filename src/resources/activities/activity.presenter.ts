import type { Urls } from '../../server/links.js';
import type { Job } from '../jobs/job.js';

/**
 * An activity is a read-only view of a backup, restore or cleanup (§3.6). Cleanups carry no `configuration` key
 * at all (the Python SDK fails on `null`); a restore's agent is its destination agent.
 */
export function presentActivity(job: Job, urls: Urls) {
  const activity: Record<string, unknown> = {
    id: job.id,
    type: job.kind,
    last_updated_time: job.updatedAt,
    state: job.state,
    agent: { id: job.agentId, links: [urls.link('full', 'agents', job.agentId)] },
  };
  if (job.kind !== 'cleanup' && job.configurationId !== null) {
    activity.configuration = { id: job.configurationId, links: [urls.link('full', 'configurations', job.configurationId)] };
  }
  activity.links = [urls.link(job.kind, `${job.kind}s`, job.id)];
  return activity;
}
