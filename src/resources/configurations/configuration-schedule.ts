import { nextScheduledTimes } from '../../domain/schedule/index.js';
import { scheduleStart, toScheduleTime, type Configuration } from './configuration.js';

/**
 * The next `count` times a configuration's backup is due after `now`; null when it runs only on request, or is
 * disabled or deleted (no scheduled backup will happen).
 */
export function upcomingTimes(configuration: Configuration, now: Date, count: number): Date[] | null {
  if (configuration.schedule === null || !configuration.enabled || configuration.deleted) return null;
  return nextScheduledTimes(configuration.schedule, new Date(scheduleStart(configuration)), now, count);
}

export function nextScheduledTime(configuration: Configuration, now: Date): string | null {
  const [next] = upcomingTimes(configuration, now, 1) ?? [];
  return next ? toScheduleTime(next) : null;
}

/**
 * The first due time the missed-backup check should judge, counted from `from`: recomputed whenever the schedule
 * or `enabled` changes, so time spent disabled is never reported as missed.
 */
export function firstDueTime(configuration: Configuration, from: Date): string | null {
  const [next] = upcomingTimes(configuration, from, 1) ?? [];
  return next ? next.toISOString() : null;
}
