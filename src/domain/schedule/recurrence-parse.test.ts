import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatRecurrence, type Recurrence } from './recurrence.js';
import { parseRecurrence } from './recurrence-parse.js';
import { ScheduleError } from './schedule-error.js';

describe('parseRecurrence', () => {
  const accepted: Array<[string, Recurrence]> = [
    // The three shapes of the reference, as the SDK builds them.
    ['RRULE:FREQ=HOURLY;INTERVAL=2', { freq: 'HOURLY', interval: 2, minute: null }],
    ['RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=14;BYMINUTE=0', { freq: 'DAILY', interval: 1, hour: 14, minute: 0 }],
    ['RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=TH;BYHOUR=14;BYMINUTE=0', { freq: 'WEEKLY', interval: 1, days: ['TH'], hour: 14, minute: 0 }],
    // Tolerated variations.
    ['rrule:FREQ=DAILY;BYHOUR=2', { freq: 'DAILY', interval: 1, hour: 2, minute: 0 }],
    ['FREQ=DAILY;INTERVAL=3;BYHOUR=2;BYMINUTE=30', { freq: 'DAILY', interval: 3, hour: 2, minute: 30 }],
    ['  RRULE:byminute=5;BYHOUR=23;byday=th,MO,th;interval=2;freq=weekly; ', { freq: 'WEEKLY', interval: 2, days: ['MO', 'TH'], hour: 23, minute: 5 }],
    ['RRULE:FREQ=HOURLY', { freq: 'HOURLY', interval: 1, minute: null }],
    ['RRULE:FREQ=HOURLY;INTERVAL=1;BYMINUTE=15', { freq: 'HOURLY', interval: 1, minute: 15 }],
    ['RRULE:FREQ=DAILY;INTERVAL=09;BYHOUR=07;BYMINUTE=00', { freq: 'DAILY', interval: 9, hour: 7, minute: 0 }],
    ['RRULE:FREQ=WEEKLY;BYDAY=SU,SA,FR,TH,WE,TU,MO;BYHOUR=0', { freq: 'WEEKLY', interval: 1, days: ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'], hour: 0, minute: 0 }],
  ];
  for (const [text, expected] of accepted) {
    it(`reads ${JSON.stringify(text)}`, () => {
      assert.deepEqual(parseRecurrence(text), expected);
    });
  }

  it('formats back to the SDK order with every part spelled out', () => {
    assert.equal(formatRecurrence(parseRecurrence('rrule:byhour=2;freq=daily')), 'RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=2;BYMINUTE=0');
    assert.equal(formatRecurrence(parseRecurrence('FREQ=WEEKLY;BYDAY=TH,MO;BYHOUR=14')), 'RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TH;BYHOUR=14;BYMINUTE=0');
    assert.equal(formatRecurrence(parseRecurrence('RRULE:FREQ=HOURLY')), 'RRULE:FREQ=HOURLY;INTERVAL=1');
    assert.equal(formatRecurrence(parseRecurrence('RRULE:FREQ=HOURLY;BYMINUTE=7')), 'RRULE:FREQ=HOURLY;INTERVAL=1;BYMINUTE=7');
  });

  const refused: Array<[string, string]> = [
    ['RRULE:FREQ=MONTHLY;INTERVAL=1', 'unsupported FREQ "MONTHLY" (use HOURLY, DAILY or WEEKLY)'],
    ['RRULE:FREQ=MINUTELY;INTERVAL=30', 'unsupported FREQ "MINUTELY" (use HOURLY, DAILY or WEEKLY)'],
    ['RRULE:INTERVAL=1', 'FREQ is missing (expected e.g. "RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=2;BYMINUTE=0")'],
    ['', 'FREQ is missing (expected e.g. "RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=2;BYMINUTE=0")'],
    ['RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=2;COUNT=5', 'unsupported part "COUNT" (only FREQ, INTERVAL, BYDAY, BYHOUR and BYMINUTE are used)'],
    ['RRULE:FREQ=DAILY;BYHOUR=2;UNTIL=20270101T000000Z', 'unsupported part "UNTIL" (only FREQ, INTERVAL, BYDAY, BYHOUR and BYMINUTE are used)'],
    ['DTSTART:20260101T000000Z\nRRULE:FREQ=DAILY;BYHOUR=2', 'must be a single RRULE line (DTSTART and other properties are not accepted; the server sets the start)'],
    ['RRULE:FREQ=DAILY;BYHOUR', 'expected NAME=VALUE, got "BYHOUR"'],
    ['RRULE:FREQ=DAILY;FREQ=WEEKLY;BYHOUR=2', 'FREQ is given more than once'],
    ['RRULE:FREQ=HOURLY;INTERVAL=0', 'INTERVAL must be an integer from 1 to 9999, got "0"'],
    ['RRULE:FREQ=HOURLY;INTERVAL=-2', 'INTERVAL must be an integer from 1 to 9999, got "-2"'],
    ['RRULE:FREQ=HOURLY;INTERVAL=1.5', 'INTERVAL must be an integer from 1 to 9999, got "1.5"'],
    ['RRULE:FREQ=HOURLY;INTERVAL=10000', 'INTERVAL must be an integer from 1 to 9999, got "10000"'],
    ['RRULE:FREQ=HOURLY;INTERVAL=', 'INTERVAL must be an integer from 1 to 9999, got ""'],
    ['RRULE:FREQ=DAILY;BYHOUR=24', 'BYHOUR must be a single hour from 0 to 23, got "24"'],
    ['RRULE:FREQ=DAILY;BYHOUR=2,14', 'BYHOUR must be a single hour from 0 to 23, got "2,14"'],
    ['RRULE:FREQ=DAILY;BYHOUR=2;BYMINUTE=60', 'BYMINUTE must be a single minute from 0 to 59, got "60"'],
    ['RRULE:FREQ=WEEKLY;BYDAY=MO,XX;BYHOUR=2', 'BYDAY has an invalid day "XX" (use MO, TU, WE, TH, FR, SA, SU)'],
    ['RRULE:FREQ=WEEKLY;BYDAY=1MO;BYHOUR=2', 'BYDAY has an invalid day "1MO" (use MO, TU, WE, TH, FR, SA, SU)'],
    ['RRULE:FREQ=WEEKLY;BYDAY=;BYHOUR=2', 'BYDAY has an invalid day "" (use MO, TU, WE, TH, FR, SA, SU)'],
    ['RRULE:FREQ=HOURLY;INTERVAL=2;BYHOUR=3', 'BYHOUR cannot be used with FREQ=HOURLY'],
    ['RRULE:FREQ=HOURLY;BYDAY=MO', 'BYDAY cannot be used with FREQ=HOURLY'],
    ['RRULE:FREQ=DAILY;BYDAY=MO;BYHOUR=2', 'BYDAY cannot be used with FREQ=DAILY (use FREQ=WEEKLY to pick days)'],
    ['RRULE:FREQ=DAILY;INTERVAL=1', 'BYHOUR is required with FREQ=DAILY'],
    ['RRULE:FREQ=WEEKLY;BYHOUR=2', 'BYDAY is required with FREQ=WEEKLY'],
    ['RRULE:FREQ=WEEKLY;BYDAY=MO', 'BYHOUR is required with FREQ=WEEKLY'],
  ];
  for (const [text, reason] of refused) {
    it(`refuses ${JSON.stringify(text)}: ${reason}`, () => {
      assert.throws(
        () => parseRecurrence(text),
        (error: unknown) => error instanceof ScheduleError && error.path === 'schedule.recurrence[0]' && error.reason === reason && error.message === `schedule.recurrence[0]: ${reason}`,
      );
    });
  }

  it('names the path it is given', () => {
    assert.throws(() => parseRecurrence('RRULE:FREQ=YEARLY', 'recurrence'), {
      name: 'ScheduleError',
      message: 'recurrence: unsupported FREQ "YEARLY" (use HOURLY, DAILY or WEEKLY)',
    });
  });

  it('refuses a value that is not a string', () => {
    assert.throws(() => parseRecurrence(42 as unknown as string), { message: 'schedule.recurrence[0]: must be a string' });
  });
});
