import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextScheduledTimes } from './schedule-times.js';

describe('nextScheduledTimes', () => {
  it('gives the reference example its three times', () => {
    const times = nextScheduledTimes({ recurrence: ['RRULE:FREQ=HOURLY;INTERVAL=2'], time_zone: 'US/Central' }, new Date('2014-08-05T18:22:21Z'), new Date('2014-08-05T18:22:21Z'), 3);
    assert.deepEqual(
      times?.map((time) => time.toISOString()),
      ['2014-08-05T20:22:21.000Z', '2014-08-05T22:22:21.000Z', '2014-08-06T00:22:21.000Z'],
    );
  });

  it('gives null for a manual-only configuration', () => {
    assert.equal(nextScheduledTimes(null, new Date(0), new Date(0), 3), null);
  });

  it('throws the RRULE error for a schedule that was never validated', () => {
    assert.throws(() => nextScheduledTimes({ recurrence: [], time_zone: 'UTC' }, new Date(0), new Date(0), 1), {
      name: 'ScheduleError',
      message: 'schedule.recurrence[0]: FREQ is missing (expected e.g. "RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=2;BYMINUTE=0")',
    });
  });
});
