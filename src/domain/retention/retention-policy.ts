/**
 * A configuration's retention policy: the v2 `retention.days` plus restic-style keep rules. A backup is kept when
 * any rule keeps it. `days: 0` with no keep rule keeps every backup (the v2 "keep forever"); beside keep rules it
 * adds nothing.
 */
export const COUNT_RULES = ['keep_last', 'keep_hourly', 'keep_daily', 'keep_weekly', 'keep_monthly', 'keep_yearly'] as const;
export type CountRule = (typeof COUNT_RULES)[number];

/** Every field `retention` may hold, in presentation order. */
export const RETENTION_FIELDS = ['days', ...COUNT_RULES, 'keep_within'] as const;
export type RetentionField = (typeof RETENTION_FIELDS)[number];

/** The largest count a keep rule takes: far above any real history, small enough to stay an exact integer. */
export const MAX_KEEP_COUNT = 1_000_000;

export interface RetentionDuration {
  years: number;
  months: number;
  days: number;
  hours: number;
}

export interface KeepRules {
  keep_last?: number;
  keep_hourly?: number;
  keep_daily?: number;
  keep_weekly?: number;
  keep_monthly?: number;
  keep_yearly?: number;
  /** restic's duration spelling: `1y6m`, `7d`, `2y5m7d3h`. */
  keep_within?: string;
}

export interface RetentionPolicy extends KeepRules {
  days: number;
}

export function hasKeepRules(rules: KeepRules): boolean {
  return COUNT_RULES.some((rule) => (rules[rule] ?? 0) > 0) || Boolean(rules.keep_within);
}

/** The keep rules alone, with the ones that are off (0, null, absent) left out. */
export function keepRulesOf(policy: KeepRules): KeepRules {
  const rules: KeepRules = {};
  for (const rule of COUNT_RULES) if ((policy[rule] ?? 0) > 0) rules[rule] = policy[rule];
  if (policy.keep_within) rules.keep_within = policy.keep_within;
  return rules;
}

const DURATION_PART = /(\d+)([ymdh])/g;
const MAX_DURATION_PART = 100_000;

/**
 * Parses `2y5m7d3h` (years, months, days, hours; each unit at most once, any order, at least one non-zero);
 * undefined when the text is not such a duration.
 */
export function parseRetentionDuration(text: string): RetentionDuration | undefined {
  if (!/^(\d+[ymdh])+$/.test(text)) return undefined;
  const duration: RetentionDuration = { years: 0, months: 0, days: 0, hours: 0 };
  const seen = new Set<string>();
  const field = { y: 'years', m: 'months', d: 'days', h: 'hours' } as const;
  for (const [, digits, unit] of text.matchAll(DURATION_PART)) {
    // Both groups take part in every match of DURATION_PART.
    if (digits === undefined || unit === undefined || seen.has(unit)) return undefined;
    seen.add(unit);
    const n = Number(digits);
    if (n > MAX_DURATION_PART) return undefined;
    duration[field[unit as keyof typeof field]] = n;
  }
  if (duration.years + duration.months + duration.days + duration.hours === 0) return undefined;
  return duration;
}

/**
 * Judges the members of a `retention` object (what a request sent, any shape) and returns the problems, each
 * naming its field under `at` (e.g. `retention.keep_daily must be at least 0.`; `at` '' names the bare field), plus the
 * policy when there are none.
 * `requireDays`: a configuration document must carry `days`; a dry-run override need not.
 */
export function checkRetention(value: unknown, at: string, options: { requireDays: boolean }): { problems: string[]; policy?: Partial<RetentionPolicy> } {
  const problems: string[] = [];
  const name = (key: string) => (at === '' ? key : `${at}.${key}`);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { problems: [`${at} must be an object.`] };
  const fields = value as Record<string, unknown>;
  const policy: Partial<RetentionPolicy> = {};
  for (const key of Object.keys(fields)) {
    if (!(RETENTION_FIELDS as readonly string[]).includes(key)) {
      problems.push(`${name(key)} is not a retention rule; use ${RETENTION_FIELDS.join(', ')}.`);
    }
  }
  if (fields.days === undefined) {
    if (options.requireDays) problems.push(`${name('days')} is required.`);
  } else {
    const days = countProblem(fields.days, name('days'), problems);
    if (days !== undefined) policy.days = days;
  }
  for (const rule of COUNT_RULES) {
    if (fields[rule] === undefined || fields[rule] === null) continue;
    const count = countProblem(fields[rule], name(rule), problems);
    if (count !== undefined && count > 0) policy[rule] = count;
  }
  const within = fields.keep_within;
  if (within !== undefined && within !== null && within !== '') {
    if (typeof within !== 'string' || parseRetentionDuration(within) === undefined) {
      problems.push(`${name('keep_within')} must be a duration of years, months, days and hours such as 7d, 1y6m or 2y5m7d3h.`);
    } else {
      policy.keep_within = within;
    }
  }
  return problems.length > 0 ? { problems } : { problems, policy };
}

function countProblem(value: unknown, at: string, problems: string[]): number | undefined {
  if (!Number.isSafeInteger(value)) {
    problems.push(`${at} must be an integer.`);
    return undefined;
  }
  const n = value as number;
  if (n < 0) problems.push(`${at} must be at least 0.`);
  else if (n > MAX_KEEP_COUNT) problems.push(`${at} must be at most ${MAX_KEEP_COUNT}.`);
  else return n;
  return undefined;
}
