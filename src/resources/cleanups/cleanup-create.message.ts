import { BodyCheck } from '../common/body-check.js';
import { JOB_START_STATES, type JobStartState } from '../../domain/job-states.js';

export interface CleanupCreateMessage {
  agentId: string;
  state: JobStartState;
}

export function parseCleanupCreate(body: unknown): CleanupCreateMessage {
  const check = BodyCheck.object(body);
  const agentId = check.string('agent_id', { required: true, nonEmpty: true });
  const state = check.oneOf('state', JOB_START_STATES, { required: true });
  check.done();
  return { agentId: agentId as string, state: state as CleanupCreateMessage['state'] };
}
