import { cleanupMachine } from '../../domain/state-machines/job-machines.js';
import { counterField, errorsField, snapshotIdsField, stateField, timeField, type PatchField } from '../jobs/job-patch-fields.js';

export const CLEANUP_PATCH_FIELDS: readonly PatchField[] = [
  stateField(cleanupMachine),
  timeField('started_time'),
  timeField('ended_time'),
  snapshotIdsField,
  errorsField,
  counterField('bytes_before'),
  counterField('bytes_after'),
];
