import { windowStateAt } from '../../domain/backup-window/index.js';
import { nextScheduledTimes } from '../../domain/schedule/index.js';
import { scheduleStart, toScheduleTime, windowTimeZone, type Configuration } from './configuration.js';

/** How far ahead a schedule is searched for times inside its backup window (five weeks: every weekly pattern). */
const WINDOW_SEARCH_MS = 35 * 24 * 3_600_000;

/**
 * The configuration's scheduled times strictly after `after`, at most `count`: its schedule's occurrences that fall
 * inside its backup window (all of them without a window). A time outside the window is no backup time at all: the
 * agent does not start it and the missed-backup check does not expect it. Null for a manual-only configuration.
 */
export function scheduledTimesAfter(configuration: Pick<Configuration, 'schedule' | 'createdAt' | 'backup_window'>, after: Date, count: number): Date[] | null {
  const { schedule, backup_window: window } = configuration;
  if (schedule === null) return null;
  const start = new Date(scheduleStart(configuration));
  if (window === null) return nextScheduledTimes(schedule, start, after, count);
  const zone = windowTimeZone(configuration);
  const limit = after.getTime() + WINDOW_SEARCH_MS;
  const result: Date[] = [];
  let cursor = after.getTime();
  while (result.length < count) {
    const [next] = nextScheduledTimes(schedule, start, new Date(cursor), 1) ?? [];
    if (!next || next.getTime() > limit) break;
    const state = windowStateAt(window, zone, next.getTime());
    if (state.inside) {
      result.push(next);
      cursor = next.getTime();
    } else {
      // Skip to the window's next opening: the next time at or after it.
      if (!Number.isFinite(state.changesAt)) break;
      cursor = state.changesAt - 1;
    }
  }
  return result;
}

/**
 * The next `count` times a configuration's backup is due after `now`; null when it runs only on request, or is
 * disabled or deleted (no scheduled backup will happen).
 */
export function upcomingTimes(configuration: Configuration, now: Date, count: number): Date[] | null {
  if (configuration.schedule === null || !configuration.enabled || configuration.deleted) return null;
  return scheduledTimesAfter(configuration, now, count);
}

export function nextScheduledTime(configuration: Configuration, now: Date): string | null {
  const [next] = upcomingTimes(configuration, now, 1) ?? [];
  return next ? toScheduleTime(next) : null;
}

/**
 * The first due time the missed-backup check should judge, counted from `from`: recomputed whenever the schedule,
 * its window or `enabled` changes, so time spent disabled is never reported as missed.
 */
export function firstDueTime(configuration: Configuration, from: Date): string | null {
  const [next] = upcomingTimes(configuration, from, 1) ?? [];
  return next ? next.toISOString() : null;
}
