import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { instantOfLocalTime, isValidTimeZone, localEpochDay, mondayOfWeek, weekIndex, weekdayIndex, zoneOffsetMs } from './time-zone.js';

const HOUR = 3_600_000;
const at = (iso: string): number => Date.parse(iso);
const dayOf = (isoDate: string): number => Date.parse(`${isoDate}T00:00:00Z`) / 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

describe('isValidTimeZone', () => {
  it('accepts IANA names and their legacy links', () => {
    for (const name of ['America/Chicago', 'Europe/Berlin', 'Australia/Sydney', 'US/Central', 'Asia/Calcutta', 'Asia/Kolkata', 'UTC', 'Etc/GMT+5', 'EST5EDT']) {
      assert.equal(isValidTimeZone(name), true, name);
    }
  });

  it('refuses unknown names, bare offsets and non-strings', () => {
    for (const name of ['Mars/Olympus', '', ' America/Chicago', '+05:00', '-0500', 'Z', 'local', 'America/', 42, null, undefined]) {
      assert.equal(isValidTimeZone(name), false, String(name));
    }
  });
});

describe('zoneOffsetMs', () => {
  it('follows daylight saving in both hemispheres, to the transition instant', () => {
    assert.equal(zoneOffsetMs(at('2026-03-08T07:59:59Z'), 'America/Chicago'), -6 * HOUR);
    assert.equal(zoneOffsetMs(at('2026-03-08T08:00:00Z'), 'America/Chicago'), -5 * HOUR);
    assert.equal(zoneOffsetMs(at('2026-10-25T00:59:59Z'), 'Europe/Berlin'), 2 * HOUR);
    assert.equal(zoneOffsetMs(at('2026-10-25T01:00:00Z'), 'Europe/Berlin'), 1 * HOUR);
    assert.equal(zoneOffsetMs(at('2026-01-15T00:00:00Z'), 'Australia/Sydney'), 11 * HOUR);
    assert.equal(zoneOffsetMs(at('2026-07-15T00:00:00Z'), 'Australia/Sydney'), 10 * HOUR);
    assert.equal(zoneOffsetMs(at('2026-07-15T00:00:00.999Z'), 'Asia/Kolkata'), 5.5 * HOUR);
  });
});

describe('instantOfLocalTime', () => {
  it('reads an ordinary wall time with the offset in force', () => {
    assert.equal(iso(instantOfLocalTime(dayOf('2026-07-01'), 14 * 60, 'Europe/Berlin')), '2026-07-01T12:00:00Z');
  });

  it('moves a skipped time forward by the length of the gap', () => {
    assert.equal(iso(instantOfLocalTime(dayOf('2026-03-08'), 2 * 60 + 30, 'America/Chicago')), '2026-03-08T08:30:00Z');
    assert.equal(iso(instantOfLocalTime(dayOf('2026-03-08'), 2 * 60, 'America/Chicago')), '2026-03-08T08:00:00Z');
    assert.equal(iso(instantOfLocalTime(dayOf('2026-10-04'), 2 * 60 + 15, 'Australia/Lord_Howe')), '2026-10-03T15:45:00Z');
  });

  it('picks the first of a repeated time', () => {
    assert.equal(iso(instantOfLocalTime(dayOf('2026-11-01'), 60 + 30, 'America/Chicago')), '2026-11-01T06:30:00Z');
    assert.equal(iso(instantOfLocalTime(dayOf('2026-04-05'), 2 * 60 + 30, 'Australia/Sydney')), '2026-04-04T15:30:00Z');
  });

  it('gives the edges of a change their own instants', () => {
    // 03:00 in Chicago on spring-forward day is the first valid minute; 01:59 the last before the gap.
    assert.equal(iso(instantOfLocalTime(dayOf('2026-03-08'), 3 * 60, 'America/Chicago')), '2026-03-08T08:00:00Z');
    assert.equal(iso(instantOfLocalTime(dayOf('2026-03-08'), 60 + 59, 'America/Chicago')), '2026-03-08T07:59:00Z');
    // 02:00 on fall-back day happens once, after the repeated hour.
    assert.equal(iso(instantOfLocalTime(dayOf('2026-11-01'), 2 * 60, 'America/Chicago')), '2026-11-01T08:00:00Z');
  });
});

describe('calendar helpers', () => {
  it('finds the local day of an instant', () => {
    assert.equal(localEpochDay(at('2026-01-10T03:00:00Z'), 'America/Chicago'), dayOf('2026-01-09'));
    assert.equal(localEpochDay(at('2026-01-11T14:00:00Z'), 'Australia/Sydney'), dayOf('2026-01-12'));
  });

  it('numbers weekdays from Monday and weeks from Monday to Sunday', () => {
    assert.equal(weekdayIndex(dayOf('1970-01-01')), 3);
    assert.equal(weekdayIndex(dayOf('2028-02-29')), 1);
    assert.equal(weekdayIndex(dayOf('1969-12-28')), 6);
    assert.equal(weekIndex(dayOf('2026-12-28')), weekIndex(dayOf('2027-01-03')));
    assert.equal(weekIndex(dayOf('2027-01-04')), weekIndex(dayOf('2027-01-03')) + 1);
    assert.equal(mondayOfWeek(weekIndex(dayOf('2027-01-03'))), dayOf('2026-12-28'));
    assert.equal(mondayOfWeek(weekIndex(dayOf('1969-12-31'))), dayOf('1969-12-29'));
  });
});
