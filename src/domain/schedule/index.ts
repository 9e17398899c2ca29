export { ScheduleError } from './schedule-error.js';
export {
  WEEKDAYS,
  MAX_INTERVAL,
  formatRecurrence,
  type Weekday,
  type Recurrence,
  type HourlyRecurrence,
  type DailyRecurrence,
  type WeeklyRecurrence,
} from './recurrence.js';
export { parseRecurrence } from './recurrence-parse.js';
export { isValidTimeZone, instantOfLocalTime, zoneOffsetMs } from './time-zone.js';
export { validateSchedule } from './schedule-validate.js';
export { nextOccurrences } from './next-occurrences.js';
export { phraseToRecurrence, describeRecurrence } from './schedule-phrase.js';
