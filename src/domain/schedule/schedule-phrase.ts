import { MAX_INTERVAL, formatRecurrence, sortWeekdays, type Recurrence, type Weekday } from './recurrence.js';
import { parseRecurrence } from './recurrence-parse.js';
import { ScheduleError } from './schedule-error.js';

/*
 * The schedule phrases people type in the CLI (`--schedule`), and the same phrases shown back in tables.
 *
 *   hourly | every hour | every 2h | every 2 hours | every 120m       [at :MM]
 *   daily 02:00 | every day 02:00 | every 2 days 03:15 | every 2d 3:15am
 *   weekly mon,thu 14:00 | every 2 weeks fri 22:00 | every mon,thu 14:00 | weekly weekdays 08:00
 *
 * Words are case-insensitive, "at" and "on" are optional, times are 24-hour HH:MM (or 2am, 2:30pm).
 * A phrase starting with "RRULE:" or "FREQ=" is taken as an RRULE and returned in canonical form.
 */

type Unit = 'minute' | 'hour' | 'day' | 'week';

const UNITS: Readonly<Record<string, Unit>> = {
  m: 'minute',
  min: 'minute',
  mins: 'minute',
  minute: 'minute',
  minutes: 'minute',
  h: 'hour',
  hr: 'hour',
  hrs: 'hour',
  hour: 'hour',
  hours: 'hour',
  d: 'day',
  day: 'day',
  days: 'day',
  w: 'week',
  wk: 'week',
  wks: 'week',
  week: 'week',
  weeks: 'week',
};

const DAY_NAMES: Readonly<Record<string, readonly Weekday[]>> = {
  mo: ['MO'],
  mon: ['MO'],
  monday: ['MO'],
  tu: ['TU'],
  tue: ['TU'],
  tues: ['TU'],
  tuesday: ['TU'],
  we: ['WE'],
  wed: ['WE'],
  wednesday: ['WE'],
  th: ['TH'],
  thu: ['TH'],
  thur: ['TH'],
  thurs: ['TH'],
  thursday: ['TH'],
  fr: ['FR'],
  fri: ['FR'],
  friday: ['FR'],
  sa: ['SA'],
  sat: ['SA'],
  saturday: ['SA'],
  su: ['SU'],
  sun: ['SU'],
  sunday: ['SU'],
  weekday: ['MO', 'TU', 'WE', 'TH', 'FR'],
  weekdays: ['MO', 'TU', 'WE', 'TH', 'FR'],
  weekend: ['SA', 'SU'],
  weekends: ['SA', 'SU'],
};

const SHORT_DAY: Readonly<Record<Weekday, string>> = {
  MO: 'mon',
  TU: 'tue',
  WE: 'wed',
  TH: 'thu',
  FR: 'fri',
  SA: 'sat',
  SU: 'sun',
};

const EXAMPLES = '"hourly", "every 2h", "daily 02:00", "every 2 days 03:15", "weekly mon,thu 14:00", "every 2 weeks fri 22:00"';

/** Turns a CLI schedule phrase into the canonical RRULE the API takes; throws ScheduleError when it cannot. */
export function phraseToRecurrence(phrase: string): string {
  return formatRecurrence(readPhrase(phrase));
}

/** A short phrase for tables, in the grammar phraseToRecurrence reads back: `daily 02:00`, `every 2h`. */
export function describeRecurrence(rrule: string | Recurrence): string {
  const recurrence = typeof rrule === 'string' ? parseRecurrence(rrule) : rrule;
  const n = recurrence.interval;
  switch (recurrence.freq) {
    case 'HOURLY': {
      const every = n === 1 ? 'hourly' : `every ${n}h`;
      return recurrence.minute === null ? every : `${every} at :${pad(recurrence.minute)}`;
    }
    case 'DAILY':
      return `${n === 1 ? 'daily' : `every ${n} days`} ${clock(recurrence.hour, recurrence.minute)}`;
    case 'WEEKLY': {
      const days = recurrence.days.map((day) => SHORT_DAY[day]).join(',');
      return `${n === 1 ? 'weekly' : `every ${n} weeks`} ${days} ${clock(recurrence.hour, recurrence.minute)}`;
    }
  }
}

function readPhrase(phrase: string): Recurrence {
  function fail(reason: string): never {
    throw new ScheduleError(`schedule "${phrase}"`, reason);
  }
  if (typeof phrase !== 'string') fail('must be a string');
  const text = phrase.trim();
  if (/^(RRULE:|FREQ=)/i.test(text)) return parseRecurrence(text, 'schedule');

  const words = text
    .toLowerCase()
    .replace(/\s*,\s*/g, ',')
    .split(/\s+/)
    .filter((word) => word !== '' && word !== 'at' && word !== 'on');
  if (words.length === 0) fail(`is empty; write for example ${EXAMPLES}`);

  let interval = 1;
  let unit: Unit | undefined;
  let rest: string[];
  const [first, ...others] = words;
  if (first === 'hourly' || first === 'daily' || first === 'weekly') {
    unit = first === 'hourly' ? 'hour' : first === 'daily' ? 'day' : 'week';
    rest = others;
  } else if (first === 'every') {
    const counted = /^(\d+)([a-z]*)$/.exec(others[0] ?? '');
    const named = others[0] === undefined ? undefined : UNITS[others[0]];
    if (counted !== null) {
      interval = Number(counted[1]);
      const unitWord = counted[2] !== '' ? counted[2] : others[1];
      unit = unitWord === undefined ? undefined : UNITS[unitWord];
      if (unit === undefined) fail(`"every ${counted[1]}" needs a unit: h (hours), days or weeks`);
      rest = others.slice(counted[2] !== '' ? 1 : 2);
    } else if (named !== undefined) {
      unit = named;
      rest = others.slice(1);
    } else if (others[0] !== undefined && readDays(others.slice(0, -1)) !== null) {
      unit = 'week';
      rest = others;
    } else {
      fail(`is not understood; write for example ${EXAMPLES}`);
    }
  } else {
    fail(`is not understood; write for example ${EXAMPLES}`);
  }

  if (unit === 'minute') {
    if (interval % 60 !== 0) {
      fail(`backups can repeat at most hourly, in whole hours; use e.g. "every 1h" (every ${interval === 1 ? 'minute' : `${interval} minutes`} cannot be scheduled)`);
    }
    interval /= 60;
    unit = 'hour';
  }
  if (!Number.isSafeInteger(interval) || interval < 1 || interval > MAX_INTERVAL) {
    fail(`the interval must be from 1 to ${MAX_INTERVAL}`);
  }

  switch (unit) {
    case 'hour': {
      const [word, ...extra] = rest;
      if (word === undefined) return { freq: 'HOURLY', interval, minute: null };
      const minute = extra.length === 0 ? /^:([0-5]\d)$/.exec(word) : null;
      if (minute === null) fail(`unexpected "${rest.join(' ')}"; an hourly schedule takes at most a minute, e.g. "every 2h at :15"`);
      return { freq: 'HOURLY', interval, minute: Number(minute[1]) };
    }
    case 'day': {
      const [word, ...extra] = rest;
      if (word === undefined) fail('needs a time of day, e.g. "daily 02:00"');
      if (extra.length > 0) fail(`unexpected "${rest.slice(0, -1).join(' ')}"; a daily schedule takes only a time, e.g. "daily 02:00"`);
      const time = readTime(word) ?? fail(`"${word}" is not a time of day (use 24-hour HH:MM, e.g. 14:00)`);
      return { freq: 'DAILY', interval, ...time };
    }
    case 'week': {
      const last = rest.at(-1);
      if (rest.length < 2 || last === undefined) fail('needs days and a time, e.g. "weekly mon,thu 14:00"');
      const days = readDays(rest.slice(0, -1)) ?? fail(`"${rest.slice(0, -1).join(' ')}" are not days of the week (use mon,tue,wed,thu,fri,sat,sun)`);
      const time = readTime(last) ?? fail(`"${last}" is not a time of day (use 24-hour HH:MM, e.g. 14:00)`);
      return { freq: 'WEEKLY', interval, days, ...time };
    }
  }
}

function readDays(words: readonly string[]): Weekday[] | null {
  const days: Weekday[] = [];
  for (const name of words.flatMap((word) => word.split(',')).filter((name) => name !== '')) {
    const named = DAY_NAMES[name];
    if (named === undefined) return null;
    days.push(...named);
  }
  return days.length === 0 ? null : sortWeekdays(days);
}

/** 24-hour `14:00`, `9:05`, or 12-hour `2am`, `2:30pm`. */
function readTime(word: string): { hour: number; minute: number } | null {
  const twentyFour = /^(\d{1,2}):([0-5]\d)$/.exec(word);
  if (twentyFour !== null) {
    const hour = Number(twentyFour[1]);
    return hour <= 23 ? { hour, minute: Number(twentyFour[2]) } : null;
  }
  const twelve = /^(\d{1,2})(?::([0-5]\d))?(am|pm)$/.exec(word);
  if (twelve !== null) {
    const hour = Number(twelve[1]);
    if (hour < 1 || hour > 12) return null;
    return { hour: (hour % 12) + (twelve[3] === 'pm' ? 12 : 0), minute: Number(twelve[2] ?? '0') };
  }
  return null;
}

function clock(hour: number, minute: number): string {
  return `${pad(hour)}:${pad(minute)}`;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
