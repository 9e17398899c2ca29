import type { Urls } from '../../server/links.js';
import type { Activity } from './activity-list.js';

/**
 * An activity is a read-only view of a backup, restore, cleanup, task or verification run (§3.6). Cleanups, tasks and
 * verification runs carry no
 * `configuration` key at all (the Python SDK fails on `null`); a restore's agent is its destination agent; a task
 * links to its V3 resource.
 */
export function presentActivity(activity: Activity, urls: Urls) {
  const body: Record<string, unknown> = {
    id: activity.id,
    type: activity.type,
    last_updated_time: activity.updatedAt,
    state: activity.state,
    agent: { id: activity.agentId, links: [urls.link('full', 'agents', activity.agentId)] },
  };
  if (activity.type !== 'cleanup' && activity.type !== 'task' && activity.type !== 'verification' && activity.configurationId !== null) {
    body.configuration = { id: activity.configurationId, links: [urls.link('full', 'configurations', activity.configurationId)] };
  }
  body.links = [activity.type === 'task' ? { href: urls.v3('tasks', activity.id), rel: 'task' } : urls.link(activity.type, `${activity.type}s`, activity.id)];
  return body;
}
