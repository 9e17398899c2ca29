import { checkRetention, type RetentionPolicy } from '../../domain/retention/index.js';
import { validateSchedule } from '../../domain/schedule/index.js';
import { BodyCheck } from '../common/body-check.js';
import type { ConfigurationDocument, Notification, PathItem, ScheduleSpec } from './configuration.js';
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
  const inclusions = pathItems(check, 'inclusions');
  const exclusions = pathItems(check, 'exclusions');
  if (inclusions && exclusions) pathListProblems(inclusions, exclusions).forEach((problem) => check.problem(problem));
  const notifications = notificationItems(check);
  check.done();
  return {
    name: name as string,
    enabled: enabled as boolean,
    schedule: schedule === null ? null : pickSchedule(schedule as ScheduleSpec),
    retention: retention as RetentionPolicy,
    inclusions: inclusions as PathItem[],
    exclusions: exclusions as PathItem[],
    notifications: notifications as Notification[],
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

function pathItems(check: BodyCheck, list: 'inclusions' | 'exclusions'): PathItem[] | undefined {
  return checkPathItems(check, list, { required: true });
}

/** `[{type: file|folder, path, path_encoded?}]` at `list`; undefined (with the problems noted) when invalid or absent. */
export function checkPathItems(check: BodyCheck, list: string, options: { required: boolean }): PathItem[] | undefined {
  const items = check.array(list, options);
  if (!items) return undefined;
  let valid = true;
  const result: PathItem[] = [];
  items.forEach((item, index) => {
    const at = `${list}[${index}]`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      check.problem(`${at} must be an object with type and path.`);
      valid = false;
      return;
    }
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
    const entry: PathItem = { type: fields.type as PathItem['type'], path: fields.path as string };
    if (typeof fields.path_encoded === 'string') entry.path_encoded = fields.path_encoded;
    result.push(entry);
  });
  return valid ? result : undefined;
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
