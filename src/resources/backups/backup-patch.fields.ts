import type { PatchAllowList } from '../../domain/json-patch/index.js';
import { backupMachine } from '../../domain/state-machines/job-machines.js';
import { counterField, errorsField, snapshotIdField, stateField, timeField, jobPatchAllowList, type PatchField } from '../jobs/job-patch-fields.js';

/** Every path of §3.3 an agent reports; a user may only send `/state` = `stop_requested`. */
export const BACKUP_PATCH: PatchAllowList<PatchField> = jobPatchAllowList([
  stateField(backupMachine),
  timeField('started_time'),
  timeField('ended_time'),
  snapshotIdField,
  errorsField,
  counterField('files_searched'),
  counterField('files_backed_up'),
  counterField('bytes_searched'),
  counterField('bytes_backed_up'),
  counterField('bytes_in_db'),
  counterField('bandwidth_avg_bps'),
]);
