import { MAX_INTERVAL, WEEKDAYS, sortWeekdays, type Recurrence, type Weekday } from './recurrence.js';
import { ScheduleError } from './schedule-error.js';

const SUPPORTED_FREQS = ['HOURLY', 'DAILY', 'WEEKLY'] as const;
type SupportedFreq = (typeof SUPPORTED_FREQS)[number];
const KNOWN_PARTS = new Set(['FREQ', 'INTERVAL', 'BYDAY', 'BYHOUR', 'BYMINUTE']);

/**
 * Parses the RRULE subset the Cloud Backup API allows:
 *   RRULE:FREQ=HOURLY;INTERVAL=n[;BYMINUTE=m]
 *   RRULE:FREQ=DAILY;INTERVAL=n;BYHOUR=h[;BYMINUTE=m]
 *   RRULE:FREQ=WEEKLY;INTERVAL=n;BYDAY=MO,TH;BYHOUR=h[;BYMINUTE=m]
 * Parts may come in any order and any case, the `RRULE:` prefix may be missing or in any case, INTERVAL defaults
 * to 1 and BYMINUTE to 0 (for HOURLY, a missing BYMINUTE keeps the start's minute). Anything else throws a
 * ScheduleError whose message begins with `path`.
 */
export function parseRecurrence(rrule: string, path = 'schedule.recurrence[0]'): Recurrence {
  function fail(reason: string): never {
    throw new ScheduleError(path, reason);
  }
  if (typeof rrule !== 'string') fail('must be a string');

  const body = rrule.trim().replace(/^RRULE:/i, '');
  if (/[\r\n]/.test(body)) fail('must be a single RRULE line (DTSTART and other properties are not accepted; the server sets the start)');
  const parts = new Map<string, string>();
  for (const segment of body.split(';')) {
    if (segment.trim() === '') continue;
    const equals = segment.indexOf('=');
    if (equals < 0) fail(`expected NAME=VALUE, got "${segment.trim()}"`);
    const name = segment.slice(0, equals).trim().toUpperCase();
    const value = segment.slice(equals + 1).trim();
    if (!KNOWN_PARTS.has(name)) {
      fail(`unsupported part "${name}" (only FREQ, INTERVAL, BYDAY, BYHOUR and BYMINUTE are used)`);
    }
    if (parts.has(name)) fail(`${name} is given more than once`);
    parts.set(name, value);
  }

  const freqText = parts.get('FREQ');
  if (freqText === undefined) fail('FREQ is missing (expected e.g. "RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=2;BYMINUTE=0")');
  const freq = freqText.toUpperCase();
  if (!(SUPPORTED_FREQS as readonly string[]).includes(freq)) {
    fail(`unsupported FREQ "${freqText}" (use HOURLY, DAILY or WEEKLY)`);
  }

  const intervalText = parts.get('INTERVAL');
  const interval = intervalText === undefined ? 1 : readInteger(intervalText, 1, MAX_INTERVAL);
  if (interval === null) fail(`INTERVAL must be an integer from 1 to ${MAX_INTERVAL}, got "${intervalText}"`);

  const hourText = parts.get('BYHOUR');
  const hour = hourText === undefined ? undefined : readInteger(hourText, 0, 23);
  if (hour === null) fail(`BYHOUR must be a single hour from 0 to 23, got "${hourText}"`);

  const minuteText = parts.get('BYMINUTE');
  const minute = minuteText === undefined ? undefined : readInteger(minuteText, 0, 59);
  if (minute === null) fail(`BYMINUTE must be a single minute from 0 to 59, got "${minuteText}"`);

  const dayText = parts.get('BYDAY');
  const days = dayText === undefined ? undefined : readWeekdays(dayText, fail);

  switch (freq as SupportedFreq) {
    case 'HOURLY':
      if (hourText !== undefined) fail('BYHOUR cannot be used with FREQ=HOURLY');
      if (dayText !== undefined) fail('BYDAY cannot be used with FREQ=HOURLY');
      return { freq: 'HOURLY', interval: interval, minute: minute ?? null };
    case 'DAILY':
      if (dayText !== undefined) fail('BYDAY cannot be used with FREQ=DAILY (use FREQ=WEEKLY to pick days)');
      if (hour === undefined) fail('BYHOUR is required with FREQ=DAILY');
      return { freq: 'DAILY', interval: interval, hour: hour, minute: minute ?? 0 };
    case 'WEEKLY':
      if (days === undefined) fail('BYDAY is required with FREQ=WEEKLY');
      if (hour === undefined) fail('BYHOUR is required with FREQ=WEEKLY');
      return { freq: 'WEEKLY', interval: interval, days: days, hour: hour, minute: minute ?? 0 };
  }
}

/** A plain decimal integer within [min, max], else null (rejects lists, signs, fractions and blanks). */
function readInteger(text: string, min: number, max: number): number | null {
  if (!/^\d{1,6}$/.test(text)) return null;
  const value = Number(text);
  return value >= min && value <= max ? value : null;
}

function readWeekdays(text: string, fail: (reason: string) => never): Weekday[] {
  const days: Weekday[] = [];
  for (const item of text.split(',')) {
    const day = item.trim().toUpperCase();
    if (!(WEEKDAYS as readonly string[]).includes(day)) {
      fail(`BYDAY has an invalid day "${item.trim()}" (use MO, TU, WE, TH, FR, SA, SU)`);
    }
    days.push(day as Weekday);
  }
  return sortWeekdays(days);
}
