import { BodyCheck } from '../common/body-check.js';

export interface CleanupCreateMessage {
  agentId: string;
  state: 'start_requested' | 'start_scheduled';
}

export function parseCleanupCreate(body: unknown): CleanupCreateMessage {
  const check = BodyCheck.object(body);
  const agentId = check.string('agent_id', { required: true, nonEmpty: true });
  const state = check.oneOf('state', ['start_requested', 'start_scheduled'] as const, { required: true });
  check.done();
  return { agentId: agentId as string, state: state as CleanupCreateMessage['state'] };
}
