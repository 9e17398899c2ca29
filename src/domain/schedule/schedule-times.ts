import { nextOccurrences } from './next-occurrences.js';
import { parseRecurrence } from './recurrence-parse.js';

/** A configuration's stored `schedule` (already checked by validateSchedule); null means manual backups only. */
export interface StoredSchedule {
  readonly recurrence: readonly string[];
  readonly time_zone: string;
}

/**
 * The next `count` run times of a configuration's schedule after `after`, for the agent document's `times`
 * and `backups.next.scheduled_time`; null for a manual-only configuration (both fields are then null).
 * `start` is the configuration's `schedule.start` (its creation time), the anchor of INTERVAL.
 */
export function nextScheduledTimes(schedule: StoredSchedule | null, start: Date, after: Date, count: number): Date[] | null {
  if (schedule === null) return null;
  return nextOccurrences(parseRecurrence(schedule.recurrence[0] ?? ''), schedule.time_zone, start, after, count);
}
