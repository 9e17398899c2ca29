import type { Selectable } from 'kysely';
import type { BackupWindow } from '../../domain/backup-window/index.js';
import { keepRulesOf, type RetentionPolicy } from '../../domain/retention/index.js';
import type { Exclusion } from '../../engine/archiver/exclusion.js';
import type { ConfigurationsTable } from '../../store/database.js';

export interface PathItem {
  type: 'file' | 'folder';
  path: string;
  /** Historical base64 spelling of a non-UTF-8 path; echoed when sent. */
  path_encoded?: string;
}

/** An exclusion: a path item, or one of the extension types (pattern, if_present, caches, larger_than, other_file_systems). */
export type ExclusionItem = PathItem | Exclude<Exclusion, { type: 'file' | 'folder' }>;

export interface Notification {
  type: 'email';
  destination: string;
  on_success: boolean;
  on_failure: boolean;
}

export interface ScheduleSpec {
  recurrence: string[];
  time_zone: string;
}

/**
 * The configuration's own vault bandwidth in bytes per second (null: none): uploads of its backups, downloads of
 * restores from its backups. The agent's own limits apply as well; the stricter one wins.
 */
export interface ConfigurationBandwidth {
  upload_bytes_per_second: number | null;
  download_bytes_per_second: number | null;
}

export const NO_BANDWIDTH_LIMIT: ConfigurationBandwidth = { upload_bytes_per_second: null, download_bytes_per_second: null };

/** What a user writes: the fields of create, and the result a PATCH must leave valid. */
export interface ConfigurationDocument {
  name: string;
  enabled: boolean;
  schedule: ScheduleSpec | null;
  /** The v2 `days` and the keep rules beside it (only the rules that are on). */
  retention: RetentionPolicy;
  inclusions: PathItem[];
  exclusions: ExclusionItem[];
  notifications: Notification[];
  bandwidth: ConfigurationBandwidth;
  /** When its scheduled backups may run, in the schedule's time zone; null: any time. */
  backup_window: BackupWindow | null;
}

export interface Configuration extends ConfigurationDocument {
  seq: number;
  id: string;
  projectId: string;
  agentId: string;
  deleted: boolean;
  lastCompletedBackupId: string | null;
  /** The earliest scheduled time the missed-backup check has not judged yet. */
  nextDueTime: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** The columns that hold a document, the inverse of the document part of configurationFromRow. */
export function documentColumns(document: ConfigurationDocument) {
  return {
    name: document.name,
    enabled: document.enabled ? 1 : 0,
    schedule: document.schedule === null ? null : JSON.stringify(document.schedule),
    retention_days: document.retention.days,
    retention_rules: retentionRulesColumn(document.retention),
    inclusions: JSON.stringify(document.inclusions),
    exclusions: JSON.stringify(document.exclusions),
    notifications: JSON.stringify(document.notifications),
    upload_bytes_per_second: document.bandwidth.upload_bytes_per_second,
    download_bytes_per_second: document.bandwidth.download_bytes_per_second,
    backup_window: document.backup_window === null ? null : JSON.stringify(document.backup_window),
  };
}

function retentionRulesColumn(retention: RetentionPolicy): string | null {
  const rules = keepRulesOf(retention);
  return Object.keys(rules).length === 0 ? null : JSON.stringify(rules);
}

/** The time zone retention buckets are counted in: the schedule's, or UTC for a manual-only configuration. */
export function retentionTimeZone(configuration: Pick<Configuration, 'schedule'>): string {
  return configuration.schedule?.time_zone ?? 'UTC';
}

/** The zone of the backup window's times: the schedule's (a window matters only to scheduled backups), else UTC. */
export const windowTimeZone = retentionTimeZone;

export function configurationFromRow(row: Selectable<ConfigurationsTable>): Configuration {
  const schedule = row.schedule === null ? null : (JSON.parse(row.schedule) as ScheduleSpec);
  return {
    seq: Number(row.seq),
    id: row.id,
    projectId: row.project_id,
    agentId: row.agent_id,
    name: row.name,
    enabled: row.enabled === 1,
    schedule: schedule === null ? null : { recurrence: schedule.recurrence, time_zone: schedule.time_zone },
    retention: { days: row.retention_days, ...(row.retention_rules === null ? {} : keepRulesOf(JSON.parse(row.retention_rules))) },
    inclusions: JSON.parse(row.inclusions),
    exclusions: JSON.parse(row.exclusions),
    notifications: JSON.parse(row.notifications),
    bandwidth: { upload_bytes_per_second: numberOrNull(row.upload_bytes_per_second), download_bytes_per_second: numberOrNull(row.download_bytes_per_second) },
    backup_window: row.backup_window === null ? null : (JSON.parse(row.backup_window) as BackupWindow),
    deleted: row.deleted === 1,
    lastCompletedBackupId: row.last_completed_backup_id,
    nextDueTime: row.next_scheduled_time,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version_no,
  };
}

/** PostgreSQL hands bigint columns back as strings. */
const numberOrNull = (value: number | string | null) => (value === null ? null : Number(value));

/** `schedule.start`: the creation time to the second; it anchors INTERVAL counting. */
export function scheduleStart(configuration: Pick<Configuration, 'createdAt'>): string {
  return `${configuration.createdAt.slice(0, 19)}Z`;
}

/** Scheduled times are whole seconds in UTC: `2014-08-05T20:22:21Z`. */
export function toScheduleTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
