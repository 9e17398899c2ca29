import type { PatchAllowList } from '../../domain/json-patch/index.js';
import { cleanupMachine } from '../../domain/state-machines/job-machines.js';
import { counterField, errorsField, snapshotIdsField, stateField, timeField, jobPatchAllowList, type PatchField } from '../jobs/job-patch-fields.js';

export const CLEANUP_PATCH: PatchAllowList<PatchField> = jobPatchAllowList([
  stateField(cleanupMachine),
  timeField('started_time'),
  timeField('ended_time'),
  snapshotIdsField,
  errorsField,
  counterField('bytes_before'),
  counterField('bytes_after'),
]);
