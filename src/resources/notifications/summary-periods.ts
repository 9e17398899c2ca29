/** A period a summary e-mail covers: [start, end) in UTC. */
export interface SummaryPeriod {
  name: 'daily' | 'weekly';
  /** 2026-01-05 for a day, 2026-W02 for an ISO week. */
  key: string;
  start: Date;
  end: Date;
}

const DAY_MS = 86_400_000;

/** The last whole UTC day before `now`. */
export function lastWholeDay(now: Date): SummaryPeriod {
  const end = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS);
  const start = new Date(end.getTime() - DAY_MS);
  return { name: 'daily', key: start.toISOString().slice(0, 10), start, end };
}

/** The last whole ISO week (Monday 00:00 to Monday 00:00 UTC) before `now`. */
export function lastWholeWeek(now: Date): SummaryPeriod {
  const today = Math.floor(now.getTime() / DAY_MS);
  // 1970-01-01 was a Thursday: (day + 3) % 7 is 0 on Mondays.
  const monday = today - ((today + 3) % 7);
  const end = new Date(monday * DAY_MS);
  const start = new Date(end.getTime() - 7 * DAY_MS);
  return { name: 'weekly', key: isoWeekKey(start), start, end };
}

/** ISO-8601 week of a Monday: the week belongs to the year of its Thursday. */
function isoWeekKey(monday: Date): string {
  const thursday = new Date(monday.getTime() + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const firstThursday = new Date(Date.UTC(year, 0, 1));
  while (firstThursday.getUTCDay() !== 4) firstThursday.setUTCDate(firstThursday.getUTCDate() + 1);
  const week = 1 + Math.round((thursday.getTime() - firstThursday.getTime()) / (7 * DAY_MS));
  return `${year}-W${String(week).padStart(2, '0')}`;
}
