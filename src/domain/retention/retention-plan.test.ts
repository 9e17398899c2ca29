import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { bucketOf, checkRetention, parseRetentionDuration, planRetention, type KeepReason, type RetentionPolicy } from './index.js';
import { itemAt } from '../../../test/helpers/indexing.js';

const at = (iso: string) => Date.parse(iso);
const items = (times: string[]) => times.map((time, i) => ({ id: `b${String(i).padStart(3, '0')}`, timeMs: at(time) }));
const iso = (ms: number) => new Date(ms).toISOString();
const policy = (rules: Partial<RetentionPolicy>): RetentionPolicy => ({ days: 0, ...rules });
const NOW = at('2030-01-01T00:00:00Z');

/** The instants a plan keeps, newest first, as ISO strings. */
function keptTimes(times: string[], rules: Partial<RetentionPolicy>, timeZone = 'UTC', now = NOW): string[] {
  return planRetention(items(times), policy(rules), now, timeZone).keep.map((k) => iso(k.item.timeMs));
}

function describeReasons(reasons: KeepReason[]): string {
  return reasons.map((r) => `${r.rule}${r.oldest ? ' (oldest)' : ''}`).join('+');
}

describe("restic's forget test suite: same snapshots, same policy, same kept set and reasons", () => {
  const golden = JSON.parse(fs.readFileSync(new URL('./testdata/restic-policy-cases.json', import.meta.url), 'utf8')) as {
    snapshots: string[];
    cases: { restic_case: number; policy: Partial<RetentionPolicy>; keep: string[] }[];
  };
  for (const c of golden.cases) {
    it(`case ${c.restic_case}: ${JSON.stringify(c.policy)}`, () => {
      const plan = planRetention(items(golden.snapshots), policy(c.policy), NOW, 'UTC');
      // Ties (equal times) may be kept in another order than restic's: compare as multisets.
      const got = plan.keep.map((k) => `${iso(k.item.timeMs)} ${describeReasons(k.reasons)}`).sort();
      assert.deepEqual(got, [...c.keep].sort());
      assert.equal(plan.keep.length + plan.remove.length, golden.snapshots.length);
    });
  }
});

describe("restic's documented examples", () => {
  it('one backup every Sunday for 12 weeks, keep_daily 4: the last four Sundays', () => {
    const sundays = ['09-01', '09-08', '09-15', '09-22', '09-29', '10-06', '10-13', '10-20', '10-27', '11-03', '11-10', '11-17'].map((d) => `2019-${d}T11:00:00.000Z`);
    assert.deepEqual(keptTimes(sundays, { keep_daily: 4 }), sundays.slice(-4).reverse());
  });

  it('daily backups for 100 years, keep 7 daily, 5 weekly, 12 monthly, 75 yearly: the last day of each period', () => {
    const last = at('2026-06-07T02:00:00Z'); // a Sunday
    const days: string[] = [];
    for (let t = at('1926-06-08T02:00:00Z'); t <= last; t += 86_400_000) days.push(iso(t));
    const kept = new Set(keptTimes(days, { keep_daily: 7, keep_weekly: 5, keep_monthly: 12, keep_yearly: 75 }));
    const expected = new Set<string>();
    const day = (y: number, m: number, d: number) => iso(Date.UTC(y, m, d, 2));
    for (let i = 0; i < 7; i++) expected.add(iso(last - i * 86_400_000)); // 7 dailies, the newest a Sunday
    for (let i = 0; i < 5; i++) expected.add(iso(last - i * 7 * 86_400_000)); // Sundays: 1 already daily, 4 more
    expected.add(day(2026, 5, 7));
    for (let m = 0; m < 11; m++) expected.add(day(2026, 5 - m, 0)); // last day of each earlier month
    expected.add(day(2026, 5, 7));
    for (let y = 2025; y > 2026 - 75; y--) expected.add(day(y, 11, 31)); // 31 December of 74 earlier years
    assert.deepEqual([...kept].sort(), [...expected].sort());
    // "7 daily and 4 last-day-of-the-week ones"; of the 12 monthlies June's is a daily and 31 May a Sunday, so 10 more;
    // of the 75 yearlies 2026's is a daily and 31 Dec 2025 a monthly, so 73 more.
    assert.equal(kept.size, 7 + 4 + 10 + 73);
  });
});

describe('time zones and daylight saving', () => {
  const evening = ['2026-06-09T10:00:00Z', '2026-06-10T20:00:00Z', '2026-06-10T21:30:00Z', '2026-06-10T22:30:00Z'];

  it('a day is the local calendar day of the configuration zone', () => {
    assert.deepEqual(keptTimes(evening, { keep_daily: 2 }, 'UTC'), ['2026-06-10T22:30:00.000Z', '2026-06-09T10:00:00.000Z']);
    // In Berlin (UTC+2) 22:30Z is already 11 June: the 21:30Z backup is the newest of 10 June.
    assert.deepEqual(keptTimes(evening, { keep_daily: 2 }, 'Europe/Berlin'), ['2026-06-10T22:30:00.000Z', '2026-06-10T21:30:00.000Z']);
  });

  it('the two 02:00 hours of the night clocks go back are one hourly bucket', () => {
    // Berlin, 25 Oct 2026: 00:15Z is 02:15 CEST, 01:15Z is 02:15 CET.
    const night = ['2026-10-24T12:00:00Z', '2026-10-25T00:15:00Z', '2026-10-25T01:15:00Z', '2026-10-25T02:15:00Z'];
    assert.deepEqual(keptTimes(night, { keep_hourly: 3 }, 'Europe/Berlin'), ['2026-10-25T02:15:00.000Z', '2026-10-25T01:15:00.000Z', '2026-10-24T12:00:00.000Z']);
    assert.deepEqual(keptTimes(night, { keep_hourly: 3 }, 'UTC'), ['2026-10-25T02:15:00.000Z', '2026-10-25T01:15:00.000Z', '2026-10-25T00:15:00.000Z']);
    const reasons = planRetention(items(night), policy({ keep_hourly: 3 }), NOW, 'Europe/Berlin').keep.map((k) => itemAt(k.reasons, 0).bucket);
    assert.deepEqual(reasons, ['2026-10-25T03', '2026-10-25T02', '2026-10-24T14']);
  });

  it('keep_within counts calendar days in the zone: a day across spring-forward is 23 hours', () => {
    // Chicago, 8 Mar 2026 (02:00 CST → 03:00 CDT). Newest: 12:00 CDT = 17:00Z. One day before: 7 Mar 12:00 CST = 18:00Z.
    const times = ['2026-03-07T17:30:00Z', '2026-03-07T18:30:00Z', '2026-03-08T17:00:00Z'];
    assert.deepEqual(keptTimes(times, { keep_within: '1d' }, 'America/Chicago'), ['2026-03-08T17:00:00.000Z', '2026-03-07T18:30:00.000Z']);
    assert.deepEqual(keptTimes(times, { keep_within: '1d' }, 'UTC'), ['2026-03-08T17:00:00.000Z', '2026-03-07T18:30:00.000Z', '2026-03-07T17:30:00.000Z']);
    // Hours are elapsed time after the calendar part: 24h reaches back to 17:00Z.
    assert.equal(keptTimes(times, { keep_within: '24h' }, 'America/Chicago').length, 3);
  });

  it('a month back from 31 March rolls over to 3 March, as calendar arithmetic does', () => {
    const times = ['2026-03-02T10:00:00Z', '2026-03-03T10:00:00Z', '2026-03-03T10:00:01Z', '2026-03-31T10:00:00Z'];
    assert.deepEqual(keptTimes(times, { keep_within: '1m' }), ['2026-03-31T10:00:00.000Z', '2026-03-03T10:00:01.000Z']);
  });

  it('weeks are ISO weeks, Monday to Sunday, numbered by the year of their Thursday', () => {
    assert.equal(bucketOf('keep_weekly', at('2024-12-30T12:00:00Z'), 0, 'UTC'), '2025-W01');
    assert.equal(bucketOf('keep_weekly', at('2027-01-01T12:00:00Z'), 0, 'UTC'), '2026-W53');
    assert.equal(bucketOf('keep_weekly', at('2026-06-07T23:30:00Z'), 0, 'UTC'), '2026-W23');
    assert.equal(bucketOf('keep_weekly', at('2026-06-07T23:30:00Z'), 0, 'Europe/Berlin'), '2026-W24'); // already Monday
    assert.equal(bucketOf('keep_monthly', at('2026-06-30T23:30:00Z'), 0, 'Asia/Tokyo'), '2026-07');
    assert.equal(bucketOf('keep_yearly', at('2026-12-31T23:30:00Z'), 0, 'America/New_York'), '2026');
  });
});

describe('days, keep_within and the future', () => {
  const now = at('2026-06-10T12:00:00Z');
  const times = ['2026-05-01T00:00:00Z', '2026-06-03T12:00:00Z', '2026-06-08T00:00:00Z', '2026-06-10T11:00:00Z'];

  it('days keeps what is at most that many days old, and nothing else, even the newest when all are older', () => {
    assert.deepEqual(keptTimes(times, { days: 7 }, 'UTC', now), ['2026-06-10T11:00:00.000Z', '2026-06-08T00:00:00.000Z', '2026-06-03T12:00:00.000Z']);
    assert.deepEqual(keptTimes(times, { days: 1 }, 'UTC', at('2027-01-01T00:00:00Z')), []);
  });

  it('days 0 alone keeps everything; beside a keep rule it adds nothing', () => {
    assert.equal(keptTimes(times, {}, 'UTC', now).length, 4);
    assert.deepEqual(keptTimes(times, { keep_last: 1 }, 'UTC', now), ['2026-06-10T11:00:00.000Z']);
  });

  it('the rules are ORed, and each kept backup names every rule that keeps it', () => {
    const plan = planRetention(items(times), policy({ days: 3, keep_last: 1, keep_monthly: 2 }), now, 'UTC');
    assert.deepEqual(
      plan.keep.map((k) => [iso(k.item.timeMs), k.reasons]),
      [
        ['2026-06-10T11:00:00.000Z', [{ rule: 'days' }, { rule: 'keep_last' }, { rule: 'keep_monthly', bucket: '2026-06' }]],
        ['2026-06-08T00:00:00.000Z', [{ rule: 'days' }]],
        ['2026-05-01T00:00:00.000Z', [{ rule: 'keep_monthly', bucket: '2026-05' }]],
      ],
    );
    assert.deepEqual(
      plan.remove.map((r) => iso(r.timeMs)),
      ['2026-06-03T12:00:00.000Z'],
    );
  });

  it('keep_within measures from the newest backup that is not in the future; future ones are kept', () => {
    const withFuture = [...times, '2026-09-01T00:00:00Z'];
    // The newest past backup is 10 June 11:00: two days before is 8 June 11:00, so 8 June 00:00 goes.
    assert.deepEqual(keptTimes(withFuture, { keep_within: '2d' }, 'UTC', now), ['2026-09-01T00:00:00.000Z', '2026-06-10T11:00:00.000Z']);
    assert.deepEqual(keptTimes(['2026-09-01T00:00:00Z', '2026-10-01T00:00:00Z'], { keep_within: '1d' }, 'UTC', now).length, 2);
  });
});

describe('checkRetention', () => {
  const problems = (value: unknown) => checkRetention(value, 'retention', { requireDays: true }).problems;

  it('accepts days with keep rules, drops the rules that are off', () => {
    const result = checkRetention({ days: 0, keep_last: 3, keep_daily: 0, keep_weekly: null, keep_within: '1y6m' }, 'retention', { requireDays: true });
    assert.deepEqual(result, { problems: [], policy: { days: 0, keep_last: 3, keep_within: '1y6m' } });
  });

  it('names the field of every problem', () => {
    assert.deepEqual(problems({ days: 1, keep_fortnightly: 2 }), [
      'retention.keep_fortnightly is not a retention rule; use days, keep_last, keep_hourly, keep_daily, keep_weekly, keep_monthly, keep_yearly, keep_within.',
    ]);
    assert.deepEqual(problems({ days: 1, keep_daily: -1 }), ['retention.keep_daily must be at least 0.']);
    assert.deepEqual(problems({ days: 1, keep_last: 2.5, keep_yearly: '3' }), ['retention.keep_last must be an integer.', 'retention.keep_yearly must be an integer.']);
    assert.deepEqual(problems({ days: 1, keep_hourly: 1_000_001 }), ['retention.keep_hourly must be at most 1000000.']);
    assert.deepEqual(problems({ keep_last: 1 }), ['retention.days is required.']);
    assert.deepEqual(problems([]), ['retention must be an object.']);
    for (const bad of ['7', '1w', 'd', '1d1d', '0d', '-1d', ' 7d', 7]) {
      assert.match(problems({ days: 1, keep_within: bad }).join(), /^retention\.keep_within must be a duration/, String(bad));
    }
  });

  it('reads durations in any order', () => {
    assert.deepEqual(parseRetentionDuration('3h2y'), { years: 2, months: 0, days: 0, hours: 3 });
    assert.deepEqual(parseRetentionDuration('2y5m7d3h'), { years: 2, months: 5, days: 7, hours: 3 });
  });
});
