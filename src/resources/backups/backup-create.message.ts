import { BodyCheck } from '../common/body-check.js';

export interface BackupCreateMessage {
  configurationId: string;
  state: 'start_requested' | 'start_scheduled';
}

export function parseBackupCreate(body: unknown): BackupCreateMessage {
  const check = BodyCheck.object(body);
  const configurationId = check.string('configuration_id', { required: true, nonEmpty: true });
  const state = check.oneOf('state', ['start_requested', 'start_scheduled'] as const, { required: true });
  check.done();
  return { configurationId: configurationId as string, state: state as BackupCreateMessage['state'] };
}
