import { BodyCheck } from '../common/body-check.js';
import { OBJECT_LOCK_MODES, type ObjectLock } from './object-lock.js';

/** At most about a hundred years, as S3 allows. */
export const MAX_OBJECT_LOCK_DAYS = 36_500;

/** `{"mode": "GOVERNANCE" | "COMPLIANCE", "days": 1…36500}`, or `{"days": 0}` to stop locking new uploads. */
export function parseObjectLockUpdate(body: unknown): ObjectLock | null {
  const check = BodyCheck.object(body);
  for (const key of Object.keys(body as object)) if (key !== 'mode' && key !== 'days') check.problem(`${key} is not an Object Lock field (mode, days).`);
  const days = check.integer('days', { required: true, min: 0, max: MAX_OBJECT_LOCK_DAYS });
  const mode = check.oneOf('mode', OBJECT_LOCK_MODES, { required: days !== undefined && days > 0 });
  check.done();
  if (!days) return null;
  return { mode: mode!, days };
}
