/*
 * Backup schedules: the Cloud Backup API's RRULE subset in an IANA time zone. Pure code, no I/O.
 *
 * Daylight-saving rules (documented here once; the tests pin them with UTC instants):
 * - DAILY and WEEKLY run at wall-clock time in the schedule's zone.
 * - A wall time that happens twice when clocks go back runs once, at its first (earlier) occurrence.
 * - A wall time skipped when clocks go forward runs shifted forward by the length of the gap
 *   (02:30 on a 02:00→03:00 day runs at 03:30), as Temporal's "compatible" disambiguation does.
 * - HOURLY counts real elapsed hours from the configuration's start, so it keeps its spacing across changes.
 * - INTERVAL counts from the configuration's start (`schedule.start`): hours from the start instant, local days
 *   from the start's local date, Monday-to-Sunday weeks from the start's local week.
 */
export { ScheduleError } from './schedule-error.js';
export { WEEKDAYS, MAX_INTERVAL, formatRecurrence, type Weekday, type Recurrence, type HourlyRecurrence, type DailyRecurrence, type WeeklyRecurrence } from './recurrence.js';
export { parseRecurrence } from './recurrence-parse.js';
export { isValidTimeZone, instantOfLocalTime, localEpochDay, zoneOffsetMs } from './time-zone.js';
export { validateSchedule } from './schedule-validate.js';
export { nextOccurrences } from './next-occurrences.js';
export { nextScheduledTimes, type StoredSchedule } from './schedule-times.js';
export { phraseToRecurrence, describeRecurrence } from './schedule-phrase.js';
