import { RETENTION_FIELDS, type RetentionPolicy } from '../../domain/retention/index.js';
import type { Urls } from '../../server/links.js';
import { scheduleStart, type Configuration } from './configuration.js';
import { nextScheduledTime } from './configuration-schedule.js';

/** `retention`: `days`, then each keep rule that is on, in a fixed order. */
export function presentRetention(retention: RetentionPolicy): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const field of RETENTION_FIELDS) if (retention[field] !== undefined) out[field] = retention[field];
  return out;
}

function presentSchedule(configuration: Configuration) {
  if (configuration.schedule === null) return null;
  return { start: scheduleStart(configuration), recurrence: configuration.schedule.recurrence, time_zone: configuration.schedule.time_zone };
}

function presentBackups(configuration: Configuration, urls: Urls, now: Date) {
  const last = configuration.lastCompletedBackupId;
  return {
    last_completed: last === null ? null : { id: last, links: [urls.link('full', 'backups', last)] },
    next: { scheduled_time: nextScheduledTime(configuration, now) },
  };
}

/** `GET /configurations/{id}` and the create response. */
export function presentConfiguration(configuration: Configuration, urls: Urls, now = new Date()) {
  return {
    project_id: configuration.projectId,
    id: configuration.id,
    agent: { id: configuration.agentId, links: [urls.link('full', 'agents', configuration.agentId)] },
    name: configuration.name,
    enabled: configuration.enabled,
    schedule: presentSchedule(configuration),
    retention: presentRetention(configuration.retention),
    inclusions: configuration.inclusions,
    exclusions: configuration.exclusions,
    notifications: configuration.notifications,
    bandwidth: { ...configuration.bandwidth },
    backup_window: configuration.backup_window === null ? null : { ...configuration.backup_window },
    deleted: configuration.deleted,
    backups: presentBackups(configuration, urls, now),
    links: [
      urls.link('self', 'configurations', configuration.id),
      urls.link('activities', 'configurations', configuration.id, 'activities'),
      urls.link('events', 'configurations', configuration.id, 'events'),
    ],
  };
}

/** List items: the detail without inclusions, exclusions, notifications and deleted; the first link is `full`. */
export function presentConfigurationSummary(configuration: Configuration, urls: Urls, now = new Date()) {
  const detail = presentConfiguration(configuration, urls, now);
  return {
    project_id: detail.project_id,
    id: detail.id,
    agent: detail.agent,
    name: detail.name,
    enabled: detail.enabled,
    schedule: detail.schedule,
    retention: detail.retention,
    bandwidth: detail.bandwidth,
    backup_window: detail.backup_window,
    backups: detail.backups,
    links: [{ ...detail.links[0], rel: 'full' }, ...detail.links.slice(1)],
  };
}
