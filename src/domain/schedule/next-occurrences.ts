import { WEEKDAYS, type DailyRecurrence, type HourlyRecurrence, type Recurrence, type WeeklyRecurrence } from './recurrence.js';
import { ScheduleError } from './schedule-error.js';
import { MS_PER_HOUR, MS_PER_MINUTE, instantOfLocalTime, isValidTimeZone, localEpochDay, mondayOfWeek, weekIndex, zoneOffsetMs } from './time-zone.js';

/**
 * The first `count` occurrences of `recurrence` strictly after `after` and not before `start`, in increasing order.
 *
 * `start` is the configuration's creation time and anchors INTERVAL, as DTSTART does in RFC 5545:
 * - HOURLY counts real elapsed hours from `start` (so a 2-hourly rule keeps its 2-hour spacing across
 *   daylight-saving changes; its local hour shifts instead);
 * - DAILY counts local calendar days from the day `start` falls on in `timeZone`;
 * - WEEKLY counts Monday-to-Sunday weeks from the week `start` falls in.
 * DAILY and WEEKLY run at wall-clock time in `timeZone`; see `instantOfLocalTime` for the daylight-saving rules
 * (a repeated time runs once, at its first occurrence; a skipped time runs when the clock jump ends plus the
 * amount it was into the gap, e.g. 02:30 → 03:30).
 */
export function nextOccurrences(recurrence: Recurrence, timeZone: string, start: Date, after: Date, count: number): Date[] {
  if (!isValidTimeZone(timeZone)) throw new ScheduleError('schedule.time_zone', `unknown time zone "${timeZone}"`);
  const startMs = start.getTime();
  const afterMs = after.getTime();
  if (!Number.isFinite(startMs)) throw new RangeError('nextOccurrences: start is an invalid Date');
  if (!Number.isFinite(afterMs)) throw new RangeError('nextOccurrences: after is an invalid Date');
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError('nextOccurrences: count must be a whole number ≥ 0');
  assertWellFormed(recurrence);
  if (count === 0) return [];

  const result: number[] = [];
  const accept = (instant: number): boolean => {
    // Strictly increasing output also absorbs two local times that resolve to one instant (a skipped day).
    const previous = result.at(-1) ?? Number.NEGATIVE_INFINITY;
    if (instant > afterMs && instant >= startMs && instant > previous) result.push(instant);
    return result.length >= count;
  };
  switch (recurrence.freq) {
    case 'HOURLY':
      hourly(recurrence, timeZone, startMs, afterMs, accept);
      break;
    case 'DAILY':
      daily(recurrence, timeZone, startMs, afterMs, accept);
      break;
    case 'WEEKLY':
      weekly(recurrence, timeZone, startMs, afterMs, accept);
      break;
  }
  return result.map((instant) => new Date(instant));
}

type Accept = (instant: number) => boolean;

/** Guards hand-built values (parseRecurrence output always passes): a bad one would never stop the loops below. */
function assertWellFormed(recurrence: Recurrence): void {
  if (!Number.isSafeInteger(recurrence.interval) || recurrence.interval < 1) {
    throw new RangeError(`nextOccurrences: interval must be a whole number ≥ 1, got ${recurrence.interval}`);
  }
  if (recurrence.freq === 'WEEKLY' && !recurrence.days.some((day) => WEEKDAYS.includes(day))) {
    throw new RangeError('nextOccurrences: a weekly recurrence needs at least one day');
  }
}

function hourly(rule: HourlyRecurrence, timeZone: string, startMs: number, afterMs: number, accept: Accept): void {
  const step = rule.interval * MS_PER_HOUR;
  let base = startMs;
  if (rule.minute !== null) {
    // The start's local hour, at the wanted minute: the hour grid still runs from the start's hour.
    const wall = startMs + zoneOffsetMs(startMs, timeZone);
    const intoHour = ((wall % MS_PER_HOUR) + MS_PER_HOUR) % MS_PER_HOUR;
    base = startMs - intoHour + rule.minute * MS_PER_MINUTE;
  }
  let k = Math.max(0, Math.floor((Math.max(afterMs, startMs) - base) / step));
  while (!accept(base + k * step)) k += 1;
}

function daily(rule: DailyRecurrence, timeZone: string, startMs: number, afterMs: number, accept: Accept): void {
  const minuteOfDay = rule.hour * 60 + rule.minute;
  const anchorDay = localEpochDay(startMs, timeZone);
  // One day back: a time pushed forward out of a daylight-saving gap can land on the next local day.
  const fromDay = Math.max(anchorDay, localEpochDay(Math.max(afterMs, startMs), timeZone) - 1);
  let day = anchorDay + Math.ceil((fromDay - anchorDay) / rule.interval) * rule.interval;
  while (!accept(instantOfLocalTime(day, minuteOfDay, timeZone))) day += rule.interval;
}

function weekly(rule: WeeklyRecurrence, timeZone: string, startMs: number, afterMs: number, accept: Accept): void {
  const minuteOfDay = rule.hour * 60 + rule.minute;
  const dayOffsets = WEEKDAYS.flatMap((day, offset) => (rule.days.includes(day) ? [offset] : []));
  const anchorWeek = weekIndex(localEpochDay(startMs, timeZone));
  const fromWeek = Math.max(anchorWeek, weekIndex(localEpochDay(Math.max(afterMs, startMs), timeZone) - 1));
  let week = anchorWeek + Math.ceil((fromWeek - anchorWeek) / rule.interval) * rule.interval;
  for (;;) {
    const monday = mondayOfWeek(week);
    for (const offset of dayOffsets) {
      if (accept(instantOfLocalTime(monday + offset, minuteOfDay, timeZone))) return;
    }
    week += rule.interval;
  }
}
