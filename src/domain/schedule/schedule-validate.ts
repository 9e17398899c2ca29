import { parseRecurrence } from './recurrence-parse.js';
import { ScheduleError } from './schedule-error.js';
import { isValidTimeZone } from './time-zone.js';

/** `start` is server-set; clients that send back a schedule they read may include it, and it is ignored. */
const ALLOWED_KEYS = new Set(['recurrence', 'time_zone', 'start']);

/**
 * Checks a configuration's `schedule` as sent to the API: `null` (manual backups only) or
 * `{"recurrence": ["RRULE:…"], "time_zone": "America/Chicago"}`. Returns one message per problem, each naming
 * its path (`schedule.recurrence[0]: unsupported FREQ "MONTHLY" …`); an empty list means valid.
 */
export function validateSchedule(schedule: unknown): string[] {
  if (schedule === null) return [];
  if (schedule === undefined) return ['schedule is required (null means manual backups only)'];
  if (typeof schedule !== 'object' || Array.isArray(schedule)) {
    return ['schedule must be an object with "recurrence" and "time_zone", or null'];
  }
  const fields = schedule as Record<string, unknown>;
  const errors: string[] = [];
  for (const key of Object.keys(fields)) {
    if (!ALLOWED_KEYS.has(key)) errors.push(`schedule.${key} is not a known field (expected recurrence and time_zone)`);
  }
  errors.push(...recurrenceErrors(fields.recurrence));
  errors.push(...timeZoneErrors(fields.time_zone));
  return errors;
}

function recurrenceErrors(recurrence: unknown): string[] {
  if (recurrence === undefined) return ['schedule.recurrence is required'];
  if (!Array.isArray(recurrence)) return ['schedule.recurrence must be an array holding exactly one RRULE string'];
  if (recurrence.length !== 1) {
    return [`schedule.recurrence must hold exactly one RRULE string, got ${recurrence.length}`];
  }
  const rule: unknown = recurrence[0];
  if (typeof rule !== 'string') return ['schedule.recurrence[0] must be a string'];
  try {
    parseRecurrence(rule, 'schedule.recurrence[0]');
    return [];
  } catch (error) {
    if (error instanceof ScheduleError) return [error.message];
    throw error;
  }
}

function timeZoneErrors(timeZone: unknown): string[] {
  if (timeZone === undefined) return ['schedule.time_zone is required'];
  if (typeof timeZone !== 'string') return ['schedule.time_zone must be a string'];
  if (!isValidTimeZone(timeZone)) {
    return [`schedule.time_zone: unknown time zone "${timeZone}" (use an IANA name such as "America/Chicago")`];
  }
  return [];
}
