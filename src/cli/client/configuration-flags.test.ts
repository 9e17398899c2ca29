import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeSchedule, notificationsFor, pathItem, scheduleFromFlags } from './configuration-flags.js';
import { UsageError } from './errors.js';

test('schedule phrases become the API schedule; manual is null', () => {
  assert.deepEqual(scheduleFromFlags('daily 02:00', 'Europe/Berlin'), { recurrence: ['RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=2;BYMINUTE=0'], time_zone: 'Europe/Berlin' });
  assert.deepEqual(scheduleFromFlags('every 2h', 'UTC'), { recurrence: ['RRULE:FREQ=HOURLY;INTERVAL=2'], time_zone: 'UTC' });
  assert.deepEqual(scheduleFromFlags('weekly mon,thu 14:00', 'UTC')?.recurrence, ['RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TH;BYHOUR=14;BYMINUTE=0']);
  assert.equal(scheduleFromFlags('manual', 'UTC'), null);
  assert.throws(() => scheduleFromFlags('every 5 minutes', 'UTC'), UsageError);
  assert.throws(() => scheduleFromFlags('daily 02:00', 'Mars/Olympus'), /--tz "Mars\/Olympus" is not an IANA time zone/);
  assert.equal(describeSchedule({ recurrence: ['RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TH;BYHOUR=14;BYMINUTE=0'], time_zone: 'UTC' }), 'weekly mon,thu 14:00 UTC');
  assert.equal(describeSchedule(null), 'manual');
});

test('paths are folders unless written file:…; e-mails are checked', () => {
  assert.deepEqual(pathItem('/srv/www'), { type: 'folder', path: '/srv/www/' });
  assert.deepEqual(pathItem('/srv/www/'), { type: 'folder', path: '/srv/www/' });
  assert.deepEqual(pathItem('file:/etc/app.conf'), { type: 'file', path: '/etc/app.conf' });
  assert.throws(() => pathItem('file:'), UsageError);
  assert.deepEqual(notificationsFor(['ops@example.com']), [{ type: 'email', destination: 'ops@example.com', on_success: false, on_failure: true }]);
  assert.throws(() => notificationsFor(['not-an-address']), UsageError);
});
