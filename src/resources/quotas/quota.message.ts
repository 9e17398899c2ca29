import { BodyCheck } from '../common/body-check.js';
import type { QuotaLimits } from '../vaults/vault-quota.js';

const KEYS = ['bytes', 'files'];

/** `{"bytes": n | null, "files": n | null}`: a non-negative integer, or null for unlimited; an absent key is left as it is. */
export function parseQuotaUpdate(body: unknown): Partial<QuotaLimits> {
  const check = BodyCheck.object(body);
  for (const key of Object.keys(body as object)) if (!KEYS.includes(key)) check.problem(`${key} is not a quota field (bytes, files).`);
  const update: Partial<QuotaLimits> = {};
  for (const key of KEYS as (keyof QuotaLimits)[]) {
    if (check.get(key) === null) update[key] = null;
    else {
      const value = check.integer(key, { min: 0 });
      if (value !== undefined) update[key] = value;
    }
  }
  if (Object.keys(update).length === 0 && check.problems.length === 0) check.problem('Name a limit to set: bytes or files (a number, or null for unlimited).');
  check.done();
  return update;
}
