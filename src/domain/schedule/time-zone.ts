/**
 * Wall-clock arithmetic in IANA time zones on top of Intl (Node's bundled ICU and tz data), with no dependency.
 * Local dates are counted as "epoch days": days since 1970-01-01 in the proleptic Gregorian calendar.
 */

export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;

const MAX_CACHED_FORMATTERS = 1000;
const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * True for names Intl knows as IANA zones, links included (`US/Central`, `Asia/Calcutta`, `UTC`).
 * Bare offsets (`+05:00`) are refused: newer Node versions accept them in Intl, but they are not zone names
 * and would follow no daylight-saving rules.
 */
export function isValidTimeZone(name: unknown): name is string {
  if (typeof name !== 'string' || !/^[A-Za-z]/.test(name)) return false;
  try {
    formatterFor(name);
    return true;
  } catch {
    return false;
  }
}

/** The zone's offset from UTC at `instantMs`, in ms (positive east of Greenwich), to the second. */
export function zoneOffsetMs(instantMs: number, timeZone: string): number {
  const wholeSecond = Math.floor(instantMs / 1000) * 1000;
  return wallClockMs(wholeSecond, timeZone) - wholeSecond;
}

/** The local calendar day (epoch day) on which `instantMs` falls in the zone. */
export function localEpochDay(instantMs: number, timeZone: string): number {
  return Math.floor((instantMs + zoneOffsetMs(instantMs, timeZone)) / MS_PER_DAY);
}

/**
 * The instant at which the zone's clocks show `minuteOfDay` on local day `epochDay`.
 * Daylight-saving rules (the same as Temporal's "compatible" disambiguation):
 * - a time that occurs twice (clocks go back) resolves to the first, earlier instant;
 * - a time that does not exist (clocks go forward) is moved forward by the length of the gap,
 *   e.g. 02:30 on a day when 02:00 jumps to 03:00 becomes 03:30.
 */
export function instantOfLocalTime(epochDay: number, minuteOfDay: number, timeZone: string): number {
  const wall = epochDay * MS_PER_DAY + minuteOfDay * MS_PER_MINUTE;
  // Offsets a day either side bracket any single transition near this wall time.
  const offsetBefore = zoneOffsetMs(wall - MS_PER_DAY, timeZone);
  const offsetAfter = zoneOffsetMs(wall + MS_PER_DAY, timeZone);
  let earliest = Number.POSITIVE_INFINITY;
  for (const offset of offsetBefore === offsetAfter ? [offsetBefore] : [offsetBefore, offsetAfter]) {
    const candidate = wall - offset;
    if (zoneOffsetMs(candidate, timeZone) === offset && candidate < earliest) earliest = candidate;
  }
  if (earliest !== Number.POSITIVE_INFINITY) return earliest;
  // In a gap: read the wall time with the offset in force before the jump, which lands after it.
  return wall - offsetBefore;
}

/** Monday-first weekday index (0 = Monday … 6 = Sunday) of an epoch day; 1970-01-01 was a Thursday. */
export function weekdayIndex(epochDay: number): number {
  return mod(epochDay + 3, 7);
}

/** Index of the Monday-to-Sunday week holding an epoch day (week 0 runs 1969-12-29 … 1970-01-04). */
export function weekIndex(epochDay: number): number {
  return Math.floor((epochDay + 3) / 7);
}

/** Epoch day of the Monday that opens week `week`. */
export function mondayOfWeek(week: number): number {
  return week * 7 - 3;
}

function mod(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}

/** The zone's wall-clock reading at `instantMs`, expressed as if it were a UTC time value. */
function wallClockMs(instantMs: number, timeZone: string): number {
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  for (const part of formatterFor(timeZone).formatToParts(instantMs)) {
    switch (part.type) {
      case 'year':
        year = Number(part.value);
        break;
      case 'month':
        month = Number(part.value);
        break;
      case 'day':
        day = Number(part.value);
        break;
      case 'hour':
        hour = Number(part.value);
        break;
      case 'minute':
        minute = Number(part.value);
        break;
      case 'second':
        second = Number(part.value);
        break;
      default:
        break;
    }
  }
  const wall = new Date(0);
  wall.setUTCFullYear(year, month - 1, day); // not Date.UTC, which maps years 0–99 to 1900–1999
  wall.setUTCHours(hour, minute, second, 0);
  return wall.getTime();
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    // Spellings differ only in case, so the key space is unbounded: keep the cache from growing without limit.
    if (formatters.size >= MAX_CACHED_FORMATTERS) formatters.clear();
    formatters.set(timeZone, formatter);
  }
  return formatter;
}
