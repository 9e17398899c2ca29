import { BodyCheck } from '../common/body-check.js';
import { JOB_START_STATES, type JobStartState } from '../../domain/job-states.js';

export interface BackupCreateMessage {
  configurationId: string;
  state: JobStartState;
}

export function parseBackupCreate(body: unknown): BackupCreateMessage {
  const check = BodyCheck.object(body);
  const configurationId = check.string('configuration_id', { required: true, nonEmpty: true });
  const state = check.oneOf('state', JOB_START_STATES, { required: true });
  check.done();
  return { configurationId: configurationId as string, state: state as BackupCreateMessage['state'] };
}
