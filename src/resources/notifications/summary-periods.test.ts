import assert from 'node:assert/strict';
import { it } from 'node:test';
import { lastWholeDay, lastWholeWeek } from './summary-periods.js';

it('the last whole UTC day ends at the midnight before now', () => {
  const day = lastWholeDay(new Date('2026-01-06T00:05:00Z'));
  assert.deepEqual([day.key, day.start.toISOString(), day.end.toISOString()], ['2026-01-05', '2026-01-05T00:00:00.000Z', '2026-01-06T00:00:00.000Z']);
  assert.equal(lastWholeDay(new Date('2026-01-06T00:00:00Z')).key, '2026-01-05', 'at midnight the day just ended is the one');
  assert.equal(lastWholeDay(new Date('2026-01-05T23:59:59.999Z')).key, '2026-01-04');
});

it('the last whole ISO week runs Monday to Monday, keyed by ISO week number (checked against date -d … +%G-W%V)', () => {
  const week = lastWholeWeek(new Date('2026-01-14T10:00:00Z')); // a Wednesday
  assert.deepEqual([week.key, week.start.toISOString(), week.end.toISOString()], ['2026-W02', '2026-01-05T00:00:00.000Z', '2026-01-12T00:00:00.000Z']);
  assert.equal(lastWholeWeek(new Date('2026-01-12T00:00:00Z')).key, '2026-W02', 'at Monday midnight the week just ended');
  // Weeks that belong to the neighbouring year.
  assert.equal(lastWholeWeek(new Date('2026-01-05T00:00:00Z')).key, '2026-W01'); // 2025-12-29 … 2026-01-04
  assert.equal(lastWholeWeek(new Date('2021-01-04T00:00:00Z')).key, '2020-W53'); // 2020-12-28 … 2021-01-03
  assert.equal(lastWholeWeek(new Date('2025-01-06T00:00:00Z')).key, '2025-W01'); // 2024-12-30 … 2025-01-05
});
