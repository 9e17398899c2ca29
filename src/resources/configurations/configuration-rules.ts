import { checkBackupWindow } from '../../domain/backup-window/index.js';
import { checkRetention, type RetentionPolicy } from '../../domain/retention/index.js';
import { validateSchedule } from '../../domain/schedule/index.js';
import { exclusionProblem } from '../../engine/archiver/exclusion.js';
import { checkBytesPerSecond } from '../agent-limits/agent-limits.js';
import { BodyCheck } from '../common/body-check.js';
import { NO_BANDWIDTH_LIMIT, type ConfigurationBandwidth, type ConfigurationDocument, type ExclusionItem, type Notification, type PathItem, type ScheduleSpec } from './configuration.js';
import { pathListProblems } from './path-rules.js';

const MAX_NAME_LENGTH = 255;
const MAX_PATH_LENGTH = 4096;

/**
 * Checks a whole configuration document (a create body, or the result of a PATCH) against every §3.2 rule and
 * throws one 400 listing each problem with its path. Unknown fields are ignored.
 */
export function checkConfigurationDocument(check: BodyCheck): ConfigurationDocument {
  const name = check.string('name', { required: true, nonEmpty: true, maxLength: MAX_NAME_LENGTH });
  const enabled = check.boolean('enabled', { required: true });
  const schedule = check.get('schedule');
  const scheduleProblems = validateSchedule(schedule);
  scheduleProblems.forEach((problem) => check.problem(problem));
  const retention = checkRetentionMember(check);
  const inclusions = checkPathItems(check, 'inclusions', { required: true });
  const exclusions = exclusionItems(check);
  if (inclusions && exclusions) pathListProblems(inclusions, exclusions).forEach((problem) => check.problem(problem));
  const notifications = notificationItems(check);
  const bandwidth = checkBandwidth(check);
  const window = checkBackupWindow(check.get('backup_window'));
  window.problems.forEach((problem) => check.problem(problem));
  check.done();
  return {
    name: name as string,
    enabled: enabled as boolean,
    schedule: schedule === null ? null : pickSchedule(schedule as ScheduleSpec),
    retention: retention as RetentionPolicy,
    inclusions: inclusions as PathItem[],
    exclusions: exclusions as ExclusionItem[],
    notifications: notifications as Notification[],
    bandwidth,
    backup_window: window.window,
  };
}

const BANDWIDTH_FIELDS = ['upload_bytes_per_second', 'download_bytes_per_second'] as const;

/** `bandwidth` (optional; absent or null: no limits of its own): each field an integer of bytes per second or null. */
function checkBandwidth(check: BodyCheck): ConfigurationBandwidth {
  const value = check.object('bandwidth', { nullable: true });
  if (!value) return NO_BANDWIDTH_LIMIT;
  for (const key of Object.keys(value)) {
    if (!(BANDWIDTH_FIELDS as readonly string[]).includes(key)) check.problem(`bandwidth.${key} is not a bandwidth limit; known: ${BANDWIDTH_FIELDS.join(', ')}.`);
  }
  return {
    upload_bytes_per_second: checkBytesPerSecond(check, 'bandwidth.upload_bytes_per_second'),
    download_bytes_per_second: checkBytesPerSecond(check, 'bandwidth.download_bytes_per_second'),
  };
}

/** `retention`: `days` (v2) and the keep rules; an unknown rule or a negative count is a problem naming its field. */
function checkRetentionMember(check: BodyCheck): RetentionPolicy | undefined {
  const value = check.object('retention', { required: true });
  if (!value) return undefined;
  const { problems, policy } = checkRetention(value, 'retention', { requireDays: true });
  problems.forEach((problem) => check.problem(problem));
  return policy as RetentionPolicy | undefined;
}

function pickSchedule(schedule: ScheduleSpec): ScheduleSpec {
  return { recurrence: [...schedule.recurrence], time_zone: schedule.time_zone };
}

/**
 * The exclusions of a configuration: path items as in the reference, or one of the extension types (see
 * Exclusion). Each extension item keeps only its type's own fields, so what is stored is exactly what was checked.
 */
function exclusionItems(check: BodyCheck): ExclusionItem[] | undefined {
  const items = check.array('exclusions', { required: true });
  if (!items) return undefined;
  let valid = true;
  const result: ExclusionItem[] = [];
  items.forEach((item, index) => {
    const at = `exclusions[${index}]`;
    const type = (item as { type?: unknown } | null)?.type;
    if (type === 'file' || type === 'folder' || item === null || typeof item !== 'object' || Array.isArray(item)) {
      const entry = checkPathItem(check, at, item);
      if (entry) result.push(entry);
      else valid = false;
      return;
    }
    const bad = exclusionProblem(item);
    if (bad) {
      check.problem(`${at}.${bad.field} ${bad.problem}.`);
      valid = false;
    } else result.push(pickExclusion(item as Record<string, unknown>));
  });
  return valid ? result : undefined;
}

function pickExclusion(fields: Record<string, unknown>): ExclusionItem {
  switch (fields.type) {
    case 'pattern':
      return { type: 'pattern', path: fields.path as string, ...(fields.ignore_case === true ? { ignore_case: true } : {}) };
    case 'if_present':
      return { type: 'if_present', path: fields.path as string };
    case 'larger_than':
      return { type: 'larger_than', size: fields.size as number };
    default:
      return { type: fields.type as 'caches' | 'other_file_systems' };
  }
}

/** `[{type: file|folder, path, path_encoded?}]` at `list`; undefined (with the problems noted) when invalid or absent. */
export function checkPathItems(check: BodyCheck, list: string, options: { required: boolean }): PathItem[] | undefined {
  const items = check.array(list, options);
  if (!items) return undefined;
  const result = items.map((item, index) => checkPathItem(check, `${list}[${index}]`, item));
  return result.every((entry) => entry !== undefined) ? (result as PathItem[]) : undefined;
}

/** One `{type: file|folder, path, path_encoded?}` item; undefined (with its problems noted) when invalid. */
function checkPathItem(check: BodyCheck, at: string, item: unknown): PathItem | undefined {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    check.problem(`${at} must be an object with type and path.`);
    return undefined;
  }
  let valid = true;
  const fields = item as Record<string, unknown>;
  if (fields.type !== 'file' && fields.type !== 'folder') {
    check.problem(`${at}.type must be file or folder.`);
    valid = false;
  }
  if (typeof fields.path !== 'string' || fields.path.trim() === '') {
    check.problem(`${at}.path must be a non-empty string.`);
    valid = false;
  } else if (fields.path.length > MAX_PATH_LENGTH) {
    check.problem(`${at}.path must be at most ${MAX_PATH_LENGTH} characters.`);
    valid = false;
  }
  if (fields.path_encoded !== undefined && fields.path_encoded !== null && typeof fields.path_encoded !== 'string') {
    check.problem(`${at}.path_encoded must be a string.`);
    valid = false;
  }
  if (!valid) return undefined;
  const entry: PathItem = { type: fields.type as PathItem['type'], path: fields.path as string };
  if (typeof fields.path_encoded === 'string') entry.path_encoded = fields.path_encoded;
  return entry;
}

function notificationItems(check: BodyCheck): Notification[] | undefined {
  const items = check.array('notifications', { required: true });
  if (!items) return undefined;
  const result: Notification[] = [];
  items.forEach((item, index) => {
    const at = `notifications[${index}]`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      check.problem(`${at} must be an object with type, destination, on_success and on_failure.`);
      return;
    }
    const fields = item as Record<string, unknown>;
    if (fields.type !== 'email') check.problem(`${at}.type must be email.`);
    if (typeof fields.destination !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(fields.destination)) check.problem(`${at}.destination must be an e-mail address.`);
    for (const flag of ['on_success', 'on_failure'] as const) {
      if (typeof fields[flag] !== 'boolean') check.problem(`${at}.${flag} must be true or false.`);
    }
    result.push({ type: 'email', destination: fields.destination as string, on_success: fields.on_success as boolean, on_failure: fields.on_failure as boolean });
  });
  if (!items.some((item) => (item as { on_failure?: unknown } | null)?.on_failure === true)) {
    check.problem('notifications must include at least one notification with on_failure true.');
  }
  return result;
}
