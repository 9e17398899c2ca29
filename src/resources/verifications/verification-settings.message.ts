import { validateSchedule, type StoredSchedule } from '../../domain/schedule/index.js';
import { BodyCheck } from '../common/body-check.js';
import { MAX_SUBSETS } from './verification.js';

export interface VerificationSettings {
  enabled: boolean;
  schedule: StoredSchedule | null;
  subsets: number;
}

const FIELDS = ['enabled', 'schedule', 'read_data_subsets'];

/**
 * `PUT /agents/{id}/verification`: `enabled`, `schedule` (one RRULE in a time zone, as a configuration's, or null for
 * runs on request only) and `read_data_subsets` N (1…256): each run reads 1/N of the packs, all of them within N runs.
 */
export function parseVerificationSettings(body: unknown): VerificationSettings {
  const check = BodyCheck.object(body);
  for (const key of Object.keys(body as object)) if (!FIELDS.includes(key)) check.problem(`${key} is not a verification field; use ${FIELDS.join(', ')}.`);
  const enabled = check.boolean('enabled', { required: true });
  const schedule = check.get('schedule');
  if (schedule === undefined) check.problem('schedule is required (null: runs on request only).');
  else validateSchedule(schedule).forEach((problem) => check.problem(problem));
  const subsets = check.integer('read_data_subsets', { required: true, min: 1, max: MAX_SUBSETS });
  check.done();
  const stored = schedule as StoredSchedule | null;
  return {
    enabled: enabled as boolean,
    schedule: stored === null ? null : { recurrence: [...stored.recurrence], time_zone: stored.time_zone },
    subsets: subsets as number,
  };
}
