/*
 * Retention policies: which backups of a configuration stay and which go, with the rule that keeps each.
 * Pure code, no I/O; the server's dry run, `restorable` and the cleanup plan all come from planRetention.
 */
export {
  COUNT_RULES,
  RETENTION_FIELDS,
  MAX_KEEP_COUNT,
  checkRetention,
  hasKeepRules,
  keepRulesOf,
  parseRetentionDuration,
  type CountRule,
  type KeepRules,
  type RetentionDuration,
  type RetentionField,
  type RetentionPolicy,
} from './retention-policy.js';
export { bucketOf, instantBefore } from './calendar-buckets.js';
export { planRetention, type KeepReason, type RetentionItem, type RetentionPlan } from './retention-plan.js';
