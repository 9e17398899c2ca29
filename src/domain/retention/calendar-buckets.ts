import { instantOfLocalTime, MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, weekdayIndex, zoneOffsetMs } from '../schedule/time-zone.js';
import type { CountRule, RetentionDuration } from './retention-policy.js';

/** The zone's wall clock at an instant, read through UTC getters of the returned Date. */
function wallClock(instantMs: number, timeZone: string): Date {
  return new Date(instantMs + zoneOffsetMs(instantMs, timeZone));
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** ISO 8601 week (weeks run Monday to Sunday; week 1 holds the year's first Thursday) of a local calendar day. */
function isoWeek(wall: Date): { year: number; week: number } {
  const epochDay = Math.floor(wall.getTime() / MS_PER_DAY);
  const thursday = epochDay - weekdayIndex(epochDay) + 3;
  const year = new Date(thursday * MS_PER_DAY).getUTCFullYear();
  const firstDay = Date.UTC(year, 0, 1) / MS_PER_DAY;
  return { year, week: Math.floor((thursday - firstDay) / 7) + 1 };
}

/**
 * The calendar bucket of an instant for a counting rule, named as people read it in the zone: `2026-06-10T14`
 * (hour), `2026-06-10` (day), `2026-W24` (ISO week), `2026-06` (month), `2026` (year). Natural boundaries in
 * local time, as restic's: the two 01:00 hours of a night when clocks go back are one hourly bucket.
 * `keep_last` has no calendar: every backup is its own bucket (its position).
 */
export function bucketOf(rule: CountRule, instantMs: number, position: number, timeZone: string): string {
  if (rule === 'keep_last') return `#${position}`;
  const wall = wallClock(instantMs, timeZone);
  const date = `${pad(wall.getUTCFullYear(), 4)}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}`;
  switch (rule) {
    case 'keep_hourly':
      return `${date}T${pad(wall.getUTCHours())}`;
    case 'keep_daily':
      return date;
    case 'keep_weekly': {
      const { year, week } = isoWeek(wall);
      return `${pad(year, 4)}-W${pad(week)}`;
    }
    case 'keep_monthly':
      return date.slice(0, 7);
    case 'keep_yearly':
      return date.slice(0, 4);
  }
}

/**
 * The instant `duration` before `instantMs` on the zone's calendar: years, months and days move the wall-clock
 * date (an overflowing day rolls over, 31 March minus a month is 3 March), then hours are subtracted as elapsed
 * time. A wall time that falls into a daylight-saving gap moves forward by the gap.
 */
export function instantBefore(instantMs: number, duration: RetentionDuration, timeZone: string): number {
  const wall = wallClock(instantMs, timeZone);
  const moved = new Date(0);
  moved.setUTCFullYear(wall.getUTCFullYear() - duration.years, wall.getUTCMonth() - duration.months, wall.getUTCDate() - duration.days);
  moved.setUTCHours(wall.getUTCHours(), wall.getUTCMinutes(), wall.getUTCSeconds(), wall.getUTCMilliseconds());
  const epochDay = Math.floor(moved.getTime() / MS_PER_DAY);
  const msOfDay = moved.getTime() - epochDay * MS_PER_DAY;
  const minuteOfDay = Math.floor(msOfDay / MS_PER_MINUTE);
  const local = instantOfLocalTime(epochDay, minuteOfDay, timeZone) + (msOfDay - minuteOfDay * MS_PER_MINUTE);
  return local - duration.hours * MS_PER_HOUR;
}
