import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextOccurrences } from './next-occurrences.js';
import { parseRecurrence } from './recurrence-parse.js';
import { ScheduleError } from './schedule-error.js';

/*
 * Expected instants were worked out by hand from the zones' 2026–2028 transitions and cross-checked against an
 * independent brute-force model on Python's zoneinfo (fold=0, whose gap and overlap handling matches our rules).
 * Transitions used: Chicago 2026-03-08T08:00Z (CST→CDT) and 2026-11-01T07:00Z (CDT→CST); Berlin 2026-03-29T01:00Z
 * and 2026-10-25T01:00Z; Sydney 2026-04-04T16:00Z (AEDT→AEST) and 2026-10-03T16:00Z (AEST→AEDT).
 */
interface Case {
  name: string;
  rrule: string;
  timeZone: string;
  start: string;
  after: string;
  expected: string[];
}

const CASES: Case[] = [
  {
    name: 'reference example: every other hour from the start, US/Central',
    rrule: 'RRULE:FREQ=HOURLY;INTERVAL=2',
    timeZone: 'US/Central',
    start: '2014-08-05T18:22:21Z',
    after: '2014-08-05T18:22:21Z',
    expected: ['2014-08-05T20:22:21Z', '2014-08-05T22:22:21Z', '2014-08-06T00:22:21Z'],
  },
  {
    name: 'Chicago spring-forward: hourly counts real hours (01:15 CST, 03:15 CDT)',
    rrule: 'RRULE:FREQ=HOURLY;INTERVAL=1',
    timeZone: 'America/Chicago',
    start: '2026-03-08T06:15:00Z',
    after: '2026-03-08T06:15:00Z',
    expected: ['2026-03-08T07:15:00Z', '2026-03-08T08:15:00Z', '2026-03-08T09:15:00Z'],
  },
  {
    name: 'Chicago fall-back: hourly runs at both 01:30s, an hour apart',
    rrule: 'RRULE:FREQ=HOURLY;INTERVAL=1',
    timeZone: 'America/Chicago',
    start: '2026-11-01T05:30:00Z',
    after: '2026-11-01T05:30:00Z',
    expected: ['2026-11-01T06:30:00Z', '2026-11-01T07:30:00Z', '2026-11-01T08:30:00Z'],
  },
  {
    name: 'Chicago spring-forward: daily 02:30 runs at 03:30 CDT on the day 02:30 is skipped',
    rrule: 'RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=2;BYMINUTE=30',
    timeZone: 'America/Chicago',
    start: '2026-03-01T00:00:00Z',
    after: '2026-03-07T00:00:00Z',
    expected: ['2026-03-07T08:30:00Z', '2026-03-08T08:30:00Z', '2026-03-09T07:30:00Z'],
  },
  {
    name: 'Chicago fall-back: daily 01:30 runs once, at the first (CDT) 01:30',
    rrule: 'RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=1;BYMINUTE=30',
    timeZone: 'America/Chicago',
    start: '2026-10-01T00:00:00Z',
    after: '2026-10-31T00:00:00Z',
    expected: ['2026-10-31T06:30:00Z', '2026-11-01T06:30:00Z', '2026-11-02T07:30:00Z'],
  },
  {
    name: 'Chicago fall-back: after the first 01:30 the next run is the following day, not the repeated 01:30',
    rrule: 'RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=1;BYMINUTE=30',
    timeZone: 'America/Chicago',
    start: '2026-10-01T00:00:00Z',
    after: '2026-11-01T06:30:00Z',
    expected: ['2026-11-02T07:30:00Z'],
  },
  {
    name: 'Chicago spring-forward: weekly Sunday 02:30 shifts to 03:30 CDT that Sunday only',
    rrule: 'RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=SU;BYHOUR=2;BYMINUTE=30',
    timeZone: 'America/Chicago',
    start: '2026-02-01T00:00:00Z',
    after: '2026-02-28T00:00:00Z',
    expected: ['2026-03-01T08:30:00Z', '2026-03-08T08:30:00Z', '2026-03-15T07:30:00Z'],
  },
  {
    name: 'Chicago fall-back: weekly SA,SU 01:30 runs once on the fall-back Sunday',
    rrule: 'RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=SA,SU;BYHOUR=1;BYMINUTE=30',
    timeZone: 'America/Chicago',
    start: '2026-10-01T00:00:00Z',
    after: '2026-10-30T00:00:00Z',
    expected: ['2026-10-31T06:30:00Z', '2026-11-01T06:30:00Z', '2026-11-07T07:30:00Z', '2026-11-08T07:30:00Z'],
  },
  {
    name: 'Berlin spring-forward: hourly every 2 hours keeps 2 real hours',
    rrule: 'RRULE:FREQ=HOURLY;INTERVAL=2',
    timeZone: 'Europe/Berlin',
    start: '2026-03-28T22:00:00Z',
    after: '2026-03-28T22:00:00Z',
    expected: ['2026-03-29T00:00:00Z', '2026-03-29T02:00:00Z', '2026-03-29T04:00:00Z'],
  },
  {
    name: 'Berlin fall-back: hourly every 2 hours keeps 2 real hours',
    rrule: 'RRULE:FREQ=HOURLY;INTERVAL=2',
    timeZone: 'Europe/Berlin',
    start: '2026-10-24T22:00:00Z',
    after: '2026-10-24T22:00:00Z',
    expected: ['2026-10-25T00:00:00Z', '2026-10-25T02:00:00Z', '2026-10-25T04:00:00Z'],
  },
  {
    name: 'Berlin spring-forward: daily 02:30 becomes 03:30 CEST',
    rrule: 'RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=2;BYMINUTE=30',
    timeZone: 'Europe/Berlin',
    start: '2026-03-01T00:00:00Z',
    after: '2026-03-28T00:00:00Z',
    expected: ['2026-03-28T01:30:00Z', '2026-03-29T01:30:00Z', '2026-03-30T00:30:00Z'],
  },
  {
    name: 'Berlin fall-back: daily 02:30 runs once, at the first (CEST) 02:30',
    rrule: 'RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=2;BYMINUTE=30',
    timeZone: 'Europe/Berlin',
    start: '2026-10-01T00:00:00Z',
    after: '2026-10-24T00:00:00Z',
    expected: ['2026-10-24T00:30:00Z', '2026-10-25T00:30:00Z', '2026-10-26T01:30:00Z'],
  },
  {
    name: 'Berlin spring-forward: weekly SU,MO 02:30',
    rrule: 'RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,SU;BYHOUR=2;BYMINUTE=30',
    timeZone: 'Europe/Berlin',
    start: '2026-03-01T00:00:00Z',
    after: '2026-03-22T12:00:00Z',
    expected: ['2026-03-23T01:30:00Z', '2026-03-29T01:30:00Z', '2026-03-30T00:30:00Z'],
  },
  {
    name: 'Berlin fall-back: weekly SU,MO 02:30',
    rrule: 'RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,SU;BYHOUR=2;BYMINUTE=30',
    timeZone: 'Europe/Berlin',
    start: '2026-10-01T00:00:00Z',
    after: '2026-10-18T12:00:00Z',
    expected: ['2026-10-19T00:30:00Z', '2026-10-25T00:30:00Z', '2026-10-26T01:30:00Z', '2026-11-01T01:30:00Z'],
  },
  {
    name: 'Sydney spring-forward (October): daily 02:30 becomes 03:30 AEDT',
    rrule: 'RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=2;BYMINUTE=30',
    timeZone: 'Australia/Sydney',
    start: '2026-09-01T00:00:00Z',
    after: '2026-10-02T00:00:00Z',
    expected: ['2026-10-02T16:30:00Z', '2026-10-03T16:30:00Z', '2026-10-04T15:30:00Z'],
  },
  {
    name: 'Sydney fall-back (April): daily 02:30 runs once, at the first (AEDT) 02:30',
    rrule: 'RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=2;BYMINUTE=30',
    timeZone: 'Australia/Sydney',
    start: '2026-03-01T00:00:00Z',
    after: '2026-04-03T00:00:00Z',
    expected: ['2026-04-03T15:30:00Z', '2026-04-04T15:30:00Z', '2026-04-05T16:30:00Z'],
  },
  {
    name: 'Sydney spring-forward: weekly Sunday 02:30',
    rrule: 'RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=SU;BYHOUR=2;BYMINUTE=30',
    timeZone: 'Australia/Sydney',
    start: '2026-09-01T00:00:00Z',
    after: '2026-09-26T00:00:00Z',
    expected: ['2026-09-26T16:30:00Z', '2026-10-03T16:30:00Z', '2026-10-10T15:30:00Z'],
  },
  {
    name: 'Sydney fall-back: weekly Sunday 02:30',
    rrule: 'RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=SU;BYHOUR=2;BYMINUTE=30',
    timeZone: 'Australia/Sydney',
    start: '2026-03-01T00:00:00Z',
    after: '2026-03-28T00:00:00Z',
    expected: ['2026-03-28T15:30:00Z', '2026-04-04T15:30:00Z', '2026-04-11T16:30:00Z'],
  },
  {
    name: 'Sydney spring-forward: hourly at minute 0 keeps the local minute as clocks jump',
    rrule: 'RRULE:FREQ=HOURLY;INTERVAL=1;BYMINUTE=0',
    timeZone: 'Australia/Sydney',
    start: '2026-10-03T14:40:00Z',
    after: '2026-10-03T14:40:00Z',
    expected: ['2026-10-03T15:00:00Z', '2026-10-03T16:00:00Z', '2026-10-03T17:00:00Z'],
  },
  {
    name: 'Sydney fall-back: hourly every 3 hours',
    rrule: 'RRULE:FREQ=HOURLY;INTERVAL=3',
    timeZone: 'Australia/Sydney',
    start: '2026-04-04T12:10:00Z',
    after: '2026-04-04T12:10:00Z',
    expected: ['2026-04-04T15:10:00Z', '2026-04-04T18:10:00Z', '2026-04-04T21:10:00Z'],
  },
  {
    name: 'Lord Howe 30-minute spring-forward: 02:15 moves forward by the 30-minute gap to 02:45',
    rrule: 'RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=2;BYMINUTE=15',
    timeZone: 'Australia/Lord_Howe',
    start: '2026-09-01T00:00:00Z',
    after: '2026-10-02T00:00:00Z',
    expected: ['2026-10-02T15:45:00Z', '2026-10-03T15:45:00Z', '2026-10-04T15:15:00Z'],
  },
  {
    name: 'Santiago midnight spring-forward: 00:30 becomes 01:30',
    rrule: 'RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=0;BYMINUTE=30',
    timeZone: 'America/Santiago',
    start: '2026-08-01T00:00:00Z',
    after: '2026-09-05T00:00:00Z',
    expected: ['2026-09-05T04:30:00Z', '2026-09-06T04:30:00Z', '2026-09-07T03:30:00Z'],
  },
  {
    name: "daily INTERVAL counts local days from the start's local date, not its UTC date",
    rrule: 'RRULE:FREQ=DAILY;INTERVAL=2;BYHOUR=22;BYMINUTE=0',
    timeZone: 'America/Chicago',
    start: '2026-01-10T03:00:00Z',
    after: '2026-01-10T03:00:00Z',
    expected: ['2026-01-10T04:00:00Z', '2026-01-12T04:00:00Z', '2026-01-14T04:00:00Z'],
  },
  {
    name: "daily INTERVAL=2: the start day's time already passed, so the first run is two days later (through spring-forward)",
    rrule: 'RRULE:FREQ=DAILY;INTERVAL=2;BYHOUR=2;BYMINUTE=30',
    timeZone: 'America/Chicago',
    start: '2026-03-06T15:00:00Z',
    after: '2026-03-06T15:00:00Z',
    expected: ['2026-03-08T08:30:00Z', '2026-03-10T07:30:00Z', '2026-03-12T07:30:00Z'],
  },
  {
    name: "daily INTERVAL=3 long after the start stays on the start's cycle",
    rrule: 'RRULE:FREQ=DAILY;INTERVAL=3;BYHOUR=12;BYMINUTE=0',
    timeZone: 'UTC',
    start: '2026-01-01T00:00:00Z',
    after: '2026-06-15T00:00:00Z',
    expected: ['2026-06-15T12:00:00Z', '2026-06-18T12:00:00Z', '2026-06-21T12:00:00Z'],
  },
  {
    name: "weekly INTERVAL=2 counts weeks from the start's week",
    rrule: 'RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR;BYHOUR=9;BYMINUTE=0',
    timeZone: 'UTC',
    start: '2026-01-07T12:00:00Z',
    after: '2026-01-07T12:00:00Z',
    expected: ['2026-01-09T09:00:00Z', '2026-01-19T09:00:00Z', '2026-01-23T09:00:00Z', '2026-02-02T09:00:00Z'],
  },
  {
    name: "weekly INTERVAL=2 counts from the start's local week (Monday in Sydney, Sunday in UTC)",
    rrule: 'RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=SU;BYHOUR=10;BYMINUTE=0',
    timeZone: 'Australia/Sydney',
    start: '2026-01-11T14:00:00Z',
    after: '2026-01-11T14:00:00Z',
    expected: ['2026-01-17T23:00:00Z', '2026-01-31T23:00:00Z', '2026-02-14T23:00:00Z'],
  },
  {
    name: "hourly INTERVAL=5 long after the start stays on the start's cycle, seconds kept",
    rrule: 'RRULE:FREQ=HOURLY;INTERVAL=5',
    timeZone: 'Europe/Berlin',
    start: '2026-05-01T10:20:30Z',
    after: '2026-05-02T00:00:00Z',
    expected: ['2026-05-02T01:20:30Z', '2026-05-02T06:20:30Z', '2026-05-02T11:20:30Z'],
  },
  {
    name: 'hourly: when asked from before the start, the start itself is the first run',
    rrule: 'RRULE:FREQ=HOURLY;INTERVAL=6',
    timeZone: 'UTC',
    start: '2026-05-01T10:20:30Z',
    after: '2026-05-01T09:00:00Z',
    expected: ['2026-05-01T10:20:30Z', '2026-05-01T16:20:30Z'],
  },
  {
    name: "hourly at minute 15 every 2 hours: the grid runs from the start's local hour",
    rrule: 'RRULE:FREQ=HOURLY;INTERVAL=2;BYMINUTE=15',
    timeZone: 'Asia/Kolkata',
    start: '2026-05-01T10:20:30Z',
    after: '2026-05-01T10:20:30Z',
    expected: ['2026-05-01T11:45:00Z', '2026-05-01T13:45:00Z', '2026-05-01T15:45:00Z'],
  },
  {
    name: 'leap day: daily 23:30 Berlin runs on 29 February 2028',
    rrule: 'RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=23;BYMINUTE=30',
    timeZone: 'Europe/Berlin',
    start: '2028-01-01T00:00:00Z',
    after: '2028-02-28T00:00:00Z',
    expected: ['2028-02-28T22:30:00Z', '2028-02-29T22:30:00Z', '2028-03-01T22:30:00Z'],
  },
  {
    name: 'leap day: every 2 days counts 29 February 2028',
    rrule: 'RRULE:FREQ=DAILY;INTERVAL=2;BYHOUR=6;BYMINUTE=0',
    timeZone: 'UTC',
    start: '2028-02-27T00:00:00Z',
    after: '2028-02-27T00:00:00Z',
    expected: ['2028-02-27T06:00:00Z', '2028-02-29T06:00:00Z', '2028-03-02T06:00:00Z'],
  },
  {
    name: 'no leap day: every 2 days in 2027 goes 27 Feb, 1 Mar, 3 Mar',
    rrule: 'RRULE:FREQ=DAILY;INTERVAL=2;BYHOUR=6;BYMINUTE=0',
    timeZone: 'UTC',
    start: '2027-02-27T00:00:00Z',
    after: '2027-02-27T00:00:00Z',
    expected: ['2027-02-27T06:00:00Z', '2027-03-01T06:00:00Z', '2027-03-03T06:00:00Z'],
  },
  {
    name: 'leap day: weekly Tuesday noon in Sydney lands on 29 February 2028',
    rrule: 'RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=TU;BYHOUR=12;BYMINUTE=0',
    timeZone: 'Australia/Sydney',
    start: '2028-01-01T00:00:00Z',
    after: '2028-02-21T00:00:00Z',
    expected: ['2028-02-22T01:00:00Z', '2028-02-29T01:00:00Z', '2028-03-07T01:00:00Z'],
  },
  {
    name: 'year end: every 2 days through 1 January',
    rrule: 'RRULE:FREQ=DAILY;INTERVAL=2;BYHOUR=0;BYMINUTE=0',
    timeZone: 'UTC',
    start: '2026-12-28T00:00:00Z',
    after: '2026-12-28T00:00:00Z',
    expected: ['2026-12-30T00:00:00Z', '2027-01-01T00:00:00Z', '2027-01-03T00:00:00Z'],
  },
  {
    name: 'year end: weekly TH,SU 23:45 Chicago lands on the next UTC year',
    rrule: 'RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=TH,SU;BYHOUR=23;BYMINUTE=45',
    timeZone: 'America/Chicago',
    start: '2026-12-01T00:00:00Z',
    after: '2026-12-28T06:00:00Z',
    expected: ['2027-01-01T05:45:00Z', '2027-01-04T05:45:00Z', '2027-01-08T05:45:00Z'],
  },
  {
    name: 'year end: every 2 weeks across a 53-week ISO year keeps a 14-day spacing',
    rrule: 'RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;BYHOUR=8;BYMINUTE=0',
    timeZone: 'UTC',
    start: '2026-12-14T00:00:00Z',
    after: '2026-12-14T00:00:00Z',
    expected: ['2026-12-14T08:00:00Z', '2026-12-28T08:00:00Z', '2027-01-11T08:00:00Z', '2027-01-25T08:00:00Z'],
  },
];

const iso = (date: Date): string => date.toISOString().replace('.000Z', 'Z');

describe('nextOccurrences', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const got = nextOccurrences(parseRecurrence(c.rrule), c.timeZone, new Date(c.start), new Date(c.after), c.expected.length);
      assert.deepEqual(got.map(iso), c.expected);
    });
  }

  it('gives exactly count instants, or none for count 0', () => {
    const daily = parseRecurrence('RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=14;BYMINUTE=0');
    const start = new Date('2026-01-01T00:00:00Z');
    assert.equal(nextOccurrences(daily, 'UTC', start, start, 10).length, 10);
    assert.deepEqual(nextOccurrences(daily, 'UTC', start, start, 0), []);
  });

  it('treats hand-built weekly days in any order like the parsed, sorted ones', () => {
    const start = new Date('2026-01-01T00:00:00Z');
    const unsorted = nextOccurrences({ freq: 'WEEKLY', interval: 1, days: ['TH', 'MO', 'TH'], hour: 14, minute: 0 }, 'Europe/Berlin', start, start, 3);
    assert.deepEqual(unsorted.map(iso), ['2026-01-01T13:00:00Z', '2026-01-05T13:00:00Z', '2026-01-08T13:00:00Z']);
  });

  it('refuses an unknown time zone with a message naming it', () => {
    const hourly = parseRecurrence('RRULE:FREQ=HOURLY;INTERVAL=1');
    assert.throws(
      () => nextOccurrences(hourly, 'Mars/Olympus', new Date(0), new Date(0), 1),
      (error: unknown) => error instanceof ScheduleError && error.message === 'schedule.time_zone: unknown time zone "Mars/Olympus"',
    );
  });

  it('refuses invalid dates, counts and hand-built rules that would never end', () => {
    const hourly = parseRecurrence('RRULE:FREQ=HOURLY;INTERVAL=1');
    assert.throws(() => nextOccurrences(hourly, 'UTC', new Date(Number.NaN), new Date(0), 1), RangeError);
    assert.throws(() => nextOccurrences(hourly, 'UTC', new Date(0), new Date(Number.NaN), 1), RangeError);
    assert.throws(() => nextOccurrences(hourly, 'UTC', new Date(0), new Date(0), -1), RangeError);
    assert.throws(() => nextOccurrences(hourly, 'UTC', new Date(0), new Date(0), 1.5), RangeError);
    assert.throws(() => nextOccurrences({ freq: 'HOURLY', interval: 0, minute: null }, 'UTC', new Date(0), new Date(0), 1), RangeError);
    assert.throws(() => nextOccurrences({ freq: 'WEEKLY', interval: 1, days: [], hour: 1, minute: 0 }, 'UTC', new Date(0), new Date(0), 1), RangeError);
  });
});
