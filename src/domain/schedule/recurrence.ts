/** Days in RFC 5545 spelling, Monday first (weeks start on Monday, RFC 5545's default WKST). */
export const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const MAX_INTERVAL = 9999;

/**
 * Every `interval` hours of real elapsed time, counted from the configuration's start.
 * `minute` null: at the start's own minute and second (the API's `FREQ=HOURLY;INTERVAL=n`);
 * otherwise at that minute of the local hour, the hours still counted from the start's hour.
 */
export interface HourlyRecurrence {
  readonly freq: 'HOURLY';
  readonly interval: number;
  readonly minute: number | null;
}

/** At hour:minute wall-clock time on every `interval`-th local day, counted from the start's day. */
export interface DailyRecurrence {
  readonly freq: 'DAILY';
  readonly interval: number;
  readonly hour: number;
  readonly minute: number;
}

/** At hour:minute wall-clock time on `days` of every `interval`-th week, counted from the start's week. */
export interface WeeklyRecurrence {
  readonly freq: 'WEEKLY';
  readonly interval: number;
  /** Sorted Monday first, no duplicates, never empty. */
  readonly days: readonly Weekday[];
  readonly hour: number;
  readonly minute: number;
}

export type Recurrence = HourlyRecurrence | DailyRecurrence | WeeklyRecurrence;

/** The canonical RRULE text, in the order the Cloud Backup SDK builds it. */
export function formatRecurrence(recurrence: Recurrence): string {
  const parts = [`FREQ=${recurrence.freq}`, `INTERVAL=${recurrence.interval}`];
  switch (recurrence.freq) {
    case 'HOURLY':
      if (recurrence.minute !== null) parts.push(`BYMINUTE=${recurrence.minute}`);
      break;
    case 'DAILY':
      parts.push(`BYHOUR=${recurrence.hour}`, `BYMINUTE=${recurrence.minute}`);
      break;
    case 'WEEKLY':
      parts.push(`BYDAY=${recurrence.days.join(',')}`, `BYHOUR=${recurrence.hour}`, `BYMINUTE=${recurrence.minute}`);
      break;
  }
  return `RRULE:${parts.join(';')}`;
}

export function sortWeekdays(days: Iterable<Weekday>): Weekday[] {
  const wanted = new Set(days);
  return WEEKDAYS.filter((day) => wanted.has(day));
}
