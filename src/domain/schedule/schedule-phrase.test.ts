import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeRecurrence, phraseToRecurrence } from './schedule-phrase.js';
import { ScheduleError } from './schedule-error.js';

describe('phraseToRecurrence', () => {
  const phrases: Array<[string, string]> = [
    ['daily 02:00', 'RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=2;BYMINUTE=0'],
    ['every 2h', 'RRULE:FREQ=HOURLY;INTERVAL=2'],
    ['weekly mon,thu 14:00', 'RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TH;BYHOUR=14;BYMINUTE=0'],
    ['hourly', 'RRULE:FREQ=HOURLY;INTERVAL=1'],
    ['every hour', 'RRULE:FREQ=HOURLY;INTERVAL=1'],
    ['every 3 hours', 'RRULE:FREQ=HOURLY;INTERVAL=3'],
    ['every 120m', 'RRULE:FREQ=HOURLY;INTERVAL=2'],
    ['every 60 minutes', 'RRULE:FREQ=HOURLY;INTERVAL=1'],
    ['every 2h at :15', 'RRULE:FREQ=HOURLY;INTERVAL=2;BYMINUTE=15'],
    ['hourly :05', 'RRULE:FREQ=HOURLY;INTERVAL=1;BYMINUTE=5'],
    ['every 2 days 03:15', 'RRULE:FREQ=DAILY;INTERVAL=2;BYHOUR=3;BYMINUTE=15'],
    ['every 2d 3:15am', 'RRULE:FREQ=DAILY;INTERVAL=2;BYHOUR=3;BYMINUTE=15'],
    ['every day at 12am', 'RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=0;BYMINUTE=0'],
    ['Daily at 11:30PM', 'RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=23;BYMINUTE=30'],
    ['every 2 weeks fri 22:00', 'RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=FR;BYHOUR=22;BYMINUTE=0'],
    ['  Weekly on Thu, Mon at 14:00 ', 'RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TH;BYHOUR=14;BYMINUTE=0'],
    ['weekly monday thursday 9:00', 'RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TH;BYHOUR=9;BYMINUTE=0'],
    ['every mon,thu 14:00', 'RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TH;BYHOUR=14;BYMINUTE=0'],
    ['every weekday 08:30', 'RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TU,WE,TH,FR;BYHOUR=8;BYMINUTE=30'],
    ['every 3w weekends 12pm', 'RRULE:FREQ=WEEKLY;INTERVAL=3;BYDAY=SA,SU;BYHOUR=12;BYMINUTE=0'],
    ['rrule:byhour=2;freq=daily', 'RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=2;BYMINUTE=0'],
    ['FREQ=WEEKLY;BYDAY=TH,MO;BYHOUR=14', 'RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TH;BYHOUR=14;BYMINUTE=0'],
  ];
  for (const [phrase, rrule] of phrases) {
    it(`turns ${JSON.stringify(phrase)} into ${rrule}`, () => {
      assert.equal(phraseToRecurrence(phrase), rrule);
    });
  }

  const refused: Array<[string, string]> = [
    ['every 30m', 'backups can repeat at most hourly, in whole hours; use e.g. "every 1h" (every 30 minutes cannot be scheduled)'],
    ['every minute', 'backups can repeat at most hourly, in whole hours; use e.g. "every 1h" (every minute cannot be scheduled)'],
    ['daily', 'needs a time of day, e.g. "daily 02:00"'],
    ['daily 25:00', '"25:00" is not a time of day (use 24-hour HH:MM, e.g. 14:00)'],
    ['daily 2', '"2" is not a time of day (use 24-hour HH:MM, e.g. 14:00)'],
    ['daily 13pm', '"13pm" is not a time of day (use 24-hour HH:MM, e.g. 14:00)'],
    ['daily mon 02:00', 'unexpected "mon"; a daily schedule takes only a time, e.g. "daily 02:00"'],
    ['weekly 14:00', 'needs days and a time, e.g. "weekly mon,thu 14:00"'],
    ['weekly mon,funday 14:00', '"mon,funday" are not days of the week (use mon,tue,wed,thu,fri,sat,sun)'],
    ['weekly mon,thu', 'needs days and a time, e.g. "weekly mon,thu 14:00"'],
    ['weekly mon,thu 2pm5', '"2pm5" is not a time of day (use 24-hour HH:MM, e.g. 14:00)'],
    ['every 2h 14:00', 'unexpected "14:00"; an hourly schedule takes at most a minute, e.g. "every 2h at :15"'],
    ['every 0h', 'the interval must be from 1 to 9999'],
    ['every 10000 days 01:00', 'the interval must be from 1 to 9999'],
    ['every 2', '"every 2" needs a unit: h (hours), days or weeks'],
    ['every 2 fortnights', '"every 2" needs a unit: h (hours), days or weeks'],
    ['monthly 1 02:00', 'is not understood; write for example "hourly", "every 2h", "daily 02:00", "every 2 days 03:15", "weekly mon,thu 14:00", "every 2 weeks fri 22:00"'],
    ['', 'is empty; write for example "hourly", "every 2h", "daily 02:00", "every 2 days 03:15", "weekly mon,thu 14:00", "every 2 weeks fri 22:00"'],
  ];
  for (const [phrase, reason] of refused) {
    it(`refuses ${JSON.stringify(phrase)}`, () => {
      assert.throws(
        () => phraseToRecurrence(phrase),
        (error: unknown) => error instanceof ScheduleError && error.message === `schedule "${phrase}": ${reason}`,
      );
    });
  }

  it('reports an invalid RRULE given as a phrase with the RRULE reason', () => {
    assert.throws(() => phraseToRecurrence('RRULE:FREQ=MONTHLY'), {
      name: 'ScheduleError',
      message: 'schedule: unsupported FREQ "MONTHLY" (use HOURLY, DAILY or WEEKLY)',
    });
  });
});

describe('describeRecurrence', () => {
  const descriptions: Array<[string, string]> = [
    ['RRULE:FREQ=HOURLY;INTERVAL=1', 'hourly'],
    ['RRULE:FREQ=HOURLY;INTERVAL=2', 'every 2h'],
    ['RRULE:FREQ=HOURLY;INTERVAL=1;BYMINUTE=5', 'hourly at :05'],
    ['RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=2;BYMINUTE=0', 'daily 02:00'],
    ['RRULE:FREQ=DAILY;INTERVAL=2;BYHOUR=3;BYMINUTE=15', 'every 2 days 03:15'],
    ['RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TH;BYHOUR=14;BYMINUTE=0', 'weekly mon,thu 14:00'],
    ['RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=FR;BYHOUR=22;BYMINUTE=0', 'every 2 weeks fri 22:00'],
    ['rrule:freq=weekly;byday=su,sa;byhour=7', 'weekly sat,sun 07:00'],
  ];
  for (const [rrule, phrase] of descriptions) {
    it(`describes ${rrule} as ${JSON.stringify(phrase)}`, () => {
      assert.equal(describeRecurrence(rrule), phrase);
    });
  }

  it('round-trips: a description reads back as the canonical RRULE, and a canonical phrase describes itself', () => {
    for (const [rrule, phrase] of descriptions) {
      assert.equal(describeRecurrence(phraseToRecurrence(phrase)), phrase);
      assert.equal(phraseToRecurrence(describeRecurrence(rrule)), phraseToRecurrence(rrule));
    }
  });

  it('accepts a parsed recurrence as well as text', () => {
    assert.equal(describeRecurrence({ freq: 'DAILY', interval: 1, hour: 9, minute: 5 }), 'daily 09:05');
  });

  it('throws the RRULE error for text it cannot read', () => {
    assert.throws(() => describeRecurrence('RRULE:FREQ=YEARLY'), ScheduleError);
  });
});
