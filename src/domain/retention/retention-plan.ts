import { instantBefore, bucketOf } from './calendar-buckets.js';
import { COUNT_RULES, hasKeepRules, parseRetentionDuration, type CountRule, type RetentionPolicy } from './retention-policy.js';

const MS_PER_DAY = 86_400_000;

/** One backup as retention sees it: an id and the instant that places it in time. */
export interface RetentionItem {
  id: string;
  timeMs: number;
}

/** Why a backup stays: the rule, and for calendar rules the bucket it won (`oldest`: kept to fill a rule's count). */
export interface KeepReason {
  rule: CountRule | 'keep_within' | 'days';
  bucket?: string;
  oldest?: true;
}

export interface RetentionPlan<T extends RetentionItem> {
  /** Newest first, each with every rule that keeps it. */
  keep: { item: T; reasons: KeepReason[] }[];
  /** Newest first. */
  remove: T[];
}

/**
 * Which backups a policy keeps and which it lets go, with restic's `forget --keep-*` semantics:
 * - backups are taken newest first (ties by id);
 * - a counting rule keeps the newest backup of each calendar bucket (in `timeZone`) until it has kept its count;
 *   when the history runs out first, the oldest backup is kept as well ("oldest");
 * - `keep_within` keeps every backup newer than the duration before the newest backup that is not in the future
 *   (everything when there is none);
 * - `days` (the v2 rule) keeps every backup whose time is at most that many days before `nowMs`.
 * A backup is kept when any rule keeps it. `days: 0` and no keep rule keeps everything.
 */
export function planRetention<T extends RetentionItem>(items: readonly T[], policy: RetentionPolicy, nowMs: number, timeZone: string): RetentionPlan<T> {
  const sorted = [...items].sort((a, b) => b.timeMs - a.timeMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const reasons: KeepReason[][] = sorted.map(() => []);
  if (!hasKeepRules(policy) && policy.days === 0) {
    reasons.forEach((list) => list.push({ rule: 'days' }));
  } else {
    if (policy.days > 0) {
      const cutoff = nowMs - policy.days * MS_PER_DAY;
      sorted.forEach((item, i) => item.timeMs >= cutoff && reasons[i].push({ rule: 'days' }));
    }
    if (policy.keep_within) keepWithin(sorted, reasons, policy.keep_within, nowMs, timeZone);
    for (const rule of COUNT_RULES) {
      const count = policy[rule] ?? 0;
      if (count > 0) keepCounted(sorted, reasons, rule, count, timeZone);
    }
  }
  const plan: RetentionPlan<T> = { keep: [], remove: [] };
  sorted.forEach((item, i) => {
    if (reasons[i].length > 0) plan.keep.push({ item, reasons: reasons[i] });
    else plan.remove.push(item);
  });
  return plan;
}

function keepWithin(sorted: readonly RetentionItem[], reasons: KeepReason[][], text: string, nowMs: number, timeZone: string): void {
  const duration = parseRetentionDuration(text);
  if (!duration) throw new Error(`not a retention duration: ${text}`);
  const latest = sorted.find((item) => item.timeMs < nowMs);
  const threshold = latest === undefined ? Number.NEGATIVE_INFINITY : instantBefore(latest.timeMs, duration, timeZone);
  sorted.forEach((item, i) => item.timeMs > threshold && reasons[i].push({ rule: 'keep_within' }));
}

function keepCounted(sorted: readonly RetentionItem[], reasons: KeepReason[][], rule: CountRule, count: number, timeZone: string): void {
  let left = count;
  let lastBucket: string | undefined;
  const oldest = sorted.length - 1;
  for (let i = 0; i < sorted.length && left > 0; i++) {
    const bucket = bucketOf(rule, sorted[i].timeMs, i, timeZone);
    if (bucket === lastBucket && i !== oldest) continue;
    const reason: KeepReason = rule === 'keep_last' ? { rule } : { rule, bucket };
    if (bucket === lastBucket) reason.oldest = true;
    reasons[i].push(reason);
    lastBucket = bucket;
    left--;
  }
}
