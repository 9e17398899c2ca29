import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkBackupWindow, windowStateAt, type BackupWindow } from './index.js';

const win = (start: string, end: string): BackupWindow => ({ start, end, outside: 'pause' });
const at = (iso: string) => Date.parse(iso);

describe('backup window: where an instant stands', () => {
  // [what, window, zone, instant (UTC), inside, changes at (UTC)]
  const cases: [string, BackupWindow, string, string, boolean, string][] = [
    ['crossing midnight: late evening is inside', win('22:00', '06:00'), 'Europe/Berlin', '2026-06-10T21:30:00Z', true, '2026-06-11T04:00:00Z'],
    ['crossing midnight: a minute before the end', win('22:00', '06:00'), 'Europe/Berlin', '2026-06-11T03:59:00Z', true, '2026-06-11T04:00:00Z'],
    ['crossing midnight: the end itself is outside', win('22:00', '06:00'), 'Europe/Berlin', '2026-06-11T04:00:00Z', false, '2026-06-11T20:00:00Z'],
    ['crossing midnight: just before the start', win('22:00', '06:00'), 'Europe/Berlin', '2026-06-10T19:59:59Z', false, '2026-06-10T20:00:00Z'],
    ['crossing midnight: the start itself is inside', win('22:00', '06:00'), 'Europe/Berlin', '2026-06-10T20:00:00Z', true, '2026-06-11T04:00:00Z'],
    ['same day: the start', win('09:00', '17:00'), 'Europe/Berlin', '2026-06-10T07:00:00Z', true, '2026-06-10T15:00:00Z'],
    ['same day: after the end, it opens tomorrow', win('09:00', '17:00'), 'Europe/Berlin', '2026-06-10T15:00:00Z', false, '2026-06-11T07:00:00Z'],
    ["UTC: just past midnight, in yesterday's window", win('23:30', '00:30'), 'UTC', '2026-01-01T00:15:00Z', true, '2026-01-01T00:30:00Z'],
    ['UTC: a window of one minute', win('12:00', '12:01'), 'UTC', '2026-01-01T12:00:30Z', true, '2026-01-01T12:01:00Z'],
    // Berlin, 2026-03-29: 02:00 CET jumps to 03:00 CEST.
    ['spring forward: 22:00 CET to 06:00 CEST is seven hours', win('22:00', '06:00'), 'Europe/Berlin', '2026-03-29T03:30:00Z', true, '2026-03-29T04:00:00Z'],
    ['spring forward: an end in the gap (02:30) closes at 03:30', win('22:00', '02:30'), 'Europe/Berlin', '2026-03-29T01:15:00Z', true, '2026-03-29T01:30:00Z'],
    ['spring forward: a start in the gap (02:30) opens at 03:30', win('02:30', '05:00'), 'Europe/Berlin', '2026-03-29T01:00:00Z', false, '2026-03-29T01:30:00Z'],
    // Berlin, 2026-10-25: 03:00 CEST goes back to 02:00 CET; 02:30 happens twice (00:30Z and 01:30Z).
    ['fall back: a repeated end closes at its first occurrence', win('22:00', '02:30'), 'Europe/Berlin', '2026-10-25T00:29:00Z', true, '2026-10-25T00:30:00Z'],
    ['fall back: the second 02:00-02:30 stays outside', win('22:00', '02:30'), 'Europe/Berlin', '2026-10-25T01:00:00Z', false, '2026-10-25T21:00:00Z'],
    ['fall back: a repeated start opens at its first occurrence', win('02:30', '04:00'), 'Europe/Berlin', '2026-10-25T00:45:00Z', true, '2026-10-25T03:00:00Z'],
    // New York, 2026-03-08: 02:00 EST jumps to 03:00 EDT, so 01:00-03:00 lasts one hour.
    ['New York spring forward: 01:00 EST to 03:00 EDT', win('01:00', '03:00'), 'America/New_York', '2026-03-08T06:30:00Z', true, '2026-03-08T07:00:00Z'],
    ['New York spring forward: 03:00 EDT is outside', win('01:00', '03:00'), 'America/New_York', '2026-03-08T07:00:00Z', false, '2026-03-09T05:00:00Z'],
  ];
  for (const [what, window, zone, instant, inside, changesAt] of cases) {
    it(what, () => {
      const state = windowStateAt(window, zone, at(instant));
      assert.deepEqual({ inside: state.inside, changesAt: new Date(state.changesAt).toISOString() }, { inside, changesAt: new Date(changesAt).toISOString() });
    });
  }

  it('a window that a jump forward empties is closed that day and open the next', () => {
    // 02:15-02:45 does not exist on 2026-03-29 in Berlin: both ends move to 03:15/03:45, an hour later.
    const state = windowStateAt(win('02:15', '02:45'), 'Europe/Berlin', at('2026-03-29T01:20:00Z'));
    assert.equal(state.inside, true, '03:20 CEST is inside the moved window');
    assert.equal(new Date(state.changesAt).toISOString(), '2026-03-29T01:45:00.000Z');
  });
});

describe('backup window: checking what users send', () => {
  const cases: [string, unknown, string[] | BackupWindow | null][] = [
    ['null: no window', null, null],
    ['crossing midnight, outside defaults to pause', { start: '22:00', end: '06:00' }, { start: '22:00', end: '06:00', outside: 'pause' }],
    ['stop', { start: '00:00', end: '23:59', outside: 'stop' }, { start: '00:00', end: '23:59', outside: 'stop' }],
    ['end equal to start', { start: '22:00', end: '22:00' }, ['backup_window.end must differ from backup_window.start (a window open all day is no window: use null).']],
    ['24:00 is no time of day', { start: '24:00', end: '06:00' }, ['backup_window.start must be a time of day HH:MM (00:00 to 23:59).']],
    ['one-digit hour', { start: '7:00', end: '08:00' }, ['backup_window.start must be a time of day HH:MM (00:00 to 23:59).']],
    ['seconds', { start: '07:00', end: '08:00:30' }, ['backup_window.end must be a time of day HH:MM (00:00 to 23:59).']],
    ['a number', { start: 2200, end: '06:00' }, ['backup_window.start must be a time of day HH:MM (00:00 to 23:59).']],
    ['no end', { start: '22:00' }, ['backup_window.end must be a time of day HH:MM (00:00 to 23:59).']],
    ['unknown outside', { start: '22:00', end: '06:00', outside: 'skip' }, ['backup_window.outside must be one of pause, stop.']],
    ['unknown field', { start: '22:00', end: '06:00', zone: 'UTC' }, ['backup_window.zone is not a window field; known: start, end, outside.']],
    ['not an object', ['22:00', '06:00'], ['backup_window must be an object with start and end (HH:MM), or null.']],
  ];
  for (const [what, value, expected] of cases) {
    it(what, () => {
      const { problems, window } = checkBackupWindow(value);
      if (Array.isArray(expected)) {
        assert.deepEqual(problems, expected);
        assert.equal(window, null);
      } else {
        assert.deepEqual(problems, []);
        assert.deepEqual(window, expected);
      }
    });
  }
});
