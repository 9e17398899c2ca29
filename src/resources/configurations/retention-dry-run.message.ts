import { checkRetention, COUNT_RULES, type RetentionPolicy } from '../../domain/retention/index.js';
import { badRequest } from '../../errors/app-error.js';
import { presentRetention } from './configuration.presenter.js';

/**
 * The query of a retention dry run: none to evaluate the stored policy, or any of `days`, `keep_last` … `keep_yearly`
 * (0 turns a rule off) and `keep_within` to evaluate the stored policy with those fields replaced, without storing
 * anything. Any other parameter, or a bad value, is a 400 naming it.
 */
export function parseRetentionDryRun(query: unknown, stored: RetentionPolicy): RetentionPolicy {
  const given: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    const value = Array.isArray(raw) ? raw : String(raw);
    const counted = key === 'days' || (COUNT_RULES as readonly string[]).includes(key);
    given[key] = counted && typeof value === 'string' && /^-?\d{1,9}$/.test(value) ? Number(value) : value;
  }
  const { problems } = checkRetention(given, '', { requireDays: false });
  if (problems.length > 0) throw badRequest('Validation failed.', problems);
  const merged = checkRetention({ ...presentRetention(stored), ...given }, '', { requireDays: true });
  if (!merged.policy) throw badRequest('Validation failed.', merged.problems);
  return merged.policy as RetentionPolicy;
}
