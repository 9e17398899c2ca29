import type { PatchAllowList } from '../../domain/json-patch/index.js';
import { restoreMachine } from '../../domain/state-machines/job-machines.js';
import { counterField, errorsField, stateField, timeField, jobPatchAllowList, type PatchField } from '../jobs/job-patch-fields.js';

/** The restore page's own spellings (`/started-time`, `/ended-time`, `/files_restores`, `/bytes-restored`) are aliases. */
export const RESTORE_PATCH: PatchAllowList<PatchField> = jobPatchAllowList([
  stateField(restoreMachine),
  timeField('started_time', ['/started-time']),
  timeField('ended_time', ['/ended-time']),
  errorsField,
  counterField('files_restored', ['/files_restores']),
  counterField('bytes_restored', ['/bytes-restored']),
  // Extension: files that already existed and were left alone (overwrite_files false).
  counterField('files_skipped'),
]);
