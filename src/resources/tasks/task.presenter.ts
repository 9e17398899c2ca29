import { Urls } from '../../server/links.js';
import type { Task } from './task.js';

/** CF timestamps have no sub-seconds: 2016-05-04T17:00:41Z. */
export function toV3Time(stored: string): string {
  return `${stored.slice(0, 19)}Z`;
}

/**
 * The V3 Task object (docs/reference/cf-v3-tasks.md §1.1) with the agent in the app's place. `command` is removed, not nulled, when
 * the caller may not see it. `links.agent` and `links.droplet` point at the agent and backup resources of the v2 API,
 * which is where they live; `links.droplet` is present only when the task has a droplet (a backup to restore).
 */
export function presentTask(task: Task, base: string, options: { showCommand: boolean }) {
  const v2 = new Urls(base, task.projectId);
  const self = `${base}/v3/tasks/${encodeURIComponent(task.id)}`;
  const links: Record<string, { href: string; method?: string }> = {
    self: { href: self },
    agent: { href: v2.v2('agents', task.agentId) },
    cancel: { href: `${self}/actions/cancel`, method: 'POST' },
  };
  if (task.dropletGuid !== null) links.droplet = { href: v2.v2('backups', task.dropletGuid) };
  const body: Record<string, unknown> = {
    guid: task.id,
    created_at: toV3Time(task.createdAt),
    updated_at: toV3Time(task.updatedAt),
    sequence_id: task.sequenceId,
    name: task.name,
    command: task.command,
    user: task.user,
    state: task.state,
    memory_in_mb: task.memoryInMb,
    disk_in_mb: task.diskInMb,
    log_rate_limit_in_bytes_per_second: task.logRateLimit,
    result: { failure_reason: task.failureReason },
    droplet_guid: task.dropletGuid,
    relationships: { agent: { data: { guid: task.agentId } } },
    metadata: { labels: { ...task.metadata.labels }, annotations: { ...task.metadata.annotations } },
    links,
  };
  if (!options.showCommand) delete body.command;
  return body;
}
