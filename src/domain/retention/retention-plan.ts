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

/** A backup and the reasons found so far to keep it. */
interface Candidate {
  item: RetentionItem;
  reasons: KeepReason[];
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
  const candidates = sorted.map((item) => ({ item, reasons: [] as KeepReason[] }));
  if (!hasKeepRules(policy) && policy.days === 0) {
    candidates.forEach(({ reasons }) => reasons.push({ rule: 'days' }));
  } else {
    if (policy.days > 0) {
      const cutoff = nowMs - policy.days * MS_PER_DAY;
      candidates.forEach(({ item, reasons }) => item.timeMs >= cutoff && reasons.push({ rule: 'days' }));
    }
    if (policy.keep_within) keepWithin(candidates, policy.keep_within, nowMs, timeZone);
    for (const rule of COUNT_RULES) {
      const count = policy[rule] ?? 0;
      if (count > 0) keepCounted(candidates, rule, count, timeZone);
    }
  }
  const plan: RetentionPlan<T> = { keep: [], remove: [] };
  for (const { item, reasons } of candidates) {
    if (reasons.length > 0) plan.keep.push({ item, reasons });
    else plan.remove.push(item);
  }
  return plan;
}

function keepWithin(candidates: readonly Candidate[], text: string, nowMs: number, timeZone: string): void {
  const duration = parseRetentionDuration(text);
  if (!duration) throw new Error(`not a retention duration: ${text}`);
  const latest = candidates.find(({ item }) => item.timeMs < nowMs)?.item;
  const threshold = latest === undefined ? Number.NEGATIVE_INFINITY : instantBefore(latest.timeMs, duration, timeZone);
  candidates.forEach(({ item, reasons }) => item.timeMs > threshold && reasons.push({ rule: 'keep_within' }));
}

function keepCounted(candidates: readonly Candidate[], rule: CountRule, count: number, timeZone: string): void {
  let left = count;
  let lastBucket: string | undefined;
  const oldest = candidates.length - 1;
  for (const [i, { item, reasons }] of candidates.entries()) {
    if (left <= 0) break;
    const bucket = bucketOf(rule, item.timeMs, i, timeZone);
    if (bucket === lastBucket && i !== oldest) continue;
    const reason: KeepReason = rule === 'keep_last' ? { rule } : { rule, bucket };
    if (bucket === lastBucket) reason.oldest = true;
    reasons.push(reason);
    lastBucket = bucket;
    left--;
  }
}
