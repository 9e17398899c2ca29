import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateSchedule } from './schedule-validate.js';

describe('validateSchedule', () => {
  it('accepts null, meaning manual backups only', () => {
    assert.deepEqual(validateSchedule(null), []);
  });

  it('accepts the reference example and each RRULE shape', () => {
    assert.deepEqual(validateSchedule({ recurrence: ['RRULE:FREQ=HOURLY;INTERVAL=2'], time_zone: 'US/Central' }), []);
    assert.deepEqual(validateSchedule({ recurrence: ['RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=14;BYMINUTE=0'], time_zone: 'Europe/Berlin' }), []);
    assert.deepEqual(validateSchedule({ recurrence: ['RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=TH;BYHOUR=14;BYMINUTE=0'], time_zone: 'Australia/Sydney' }), []);
  });

  it('ignores a server-set start sent back by a client', () => {
    assert.deepEqual(validateSchedule({ start: '2014-08-05T18:22:21Z', recurrence: ['RRULE:FREQ=HOURLY;INTERVAL=2'], time_zone: 'UTC' }), []);
  });

  it('names every problem with its path', () => {
    assert.deepEqual(validateSchedule({ recurrence: ['RRULE:FREQ=MONTHLY'], time_zone: 'Mars/Olympus', owner: 'me' }), [
      'schedule.owner is not a known field (expected recurrence and time_zone)',
      'schedule.recurrence[0]: unsupported FREQ "MONTHLY" (use HOURLY, DAILY or WEEKLY)',
      'schedule.time_zone: unknown time zone "Mars/Olympus" (use an IANA name such as "America/Chicago")',
    ]);
  });

  const refused: Array<[unknown, string[]]> = [
    [undefined, ['schedule is required (null means manual backups only)']],
    ['RRULE:FREQ=HOURLY', ['schedule must be an object with "recurrence" and "time_zone", or null']],
    [[], ['schedule must be an object with "recurrence" and "time_zone", or null']],
    [{}, ['schedule.recurrence is required', 'schedule.time_zone is required']],
    [{ recurrence: 'RRULE:FREQ=HOURLY', time_zone: 'UTC' }, ['schedule.recurrence must be an array holding exactly one RRULE string']],
    [{ recurrence: [], time_zone: 'UTC' }, ['schedule.recurrence must hold exactly one RRULE string, got 0']],
    [{ recurrence: ['RRULE:FREQ=HOURLY', 'RRULE:FREQ=DAILY;BYHOUR=1'], time_zone: 'UTC' }, ['schedule.recurrence must hold exactly one RRULE string, got 2']],
    [{ recurrence: [7], time_zone: 'UTC' }, ['schedule.recurrence[0] must be a string']],
    [{ recurrence: ['RRULE:FREQ=HOURLY'], time_zone: 5 }, ['schedule.time_zone must be a string']],
    [{ recurrence: ['RRULE:FREQ=HOURLY'], time_zone: '+05:00' }, ['schedule.time_zone: unknown time zone "+05:00" (use an IANA name such as "America/Chicago")']],
    [{ recurrence: ['RRULE:FREQ=WEEKLY;BYHOUR=2'], time_zone: 'UTC' }, ['schedule.recurrence[0]: BYDAY is required with FREQ=WEEKLY']],
  ];
  for (const [schedule, errors] of refused) {
    it(`refuses ${JSON.stringify(schedule) ?? 'undefined'}`, () => {
      assert.deepEqual(validateSchedule(schedule), errors);
    });
  }
});
