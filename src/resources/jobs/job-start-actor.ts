import { forbidden } from '../../errors/app-error.js';
import { isAgentItself, type Caller } from '../../server/caller.js';
import { JobState } from '../../domain/job-states.js';

/**
 * `start_requested` is a user's request; `start_scheduled` is the agent starting its own scheduled job, with its own
 * token (a user's token with `X-Agent-Id` is still the user).
 */
export function assertMayStart(caller: Caller, state: string, jobAgentId: string): void {
  if (state === JobState.start_scheduled) {
    if (isAgentItself(caller, jobAgentId)) return;
    throw forbidden('Only the agent the job belongs to, with its own token, may start it as scheduled.');
  }
  if (caller.kind === 'agent' && caller.agentId !== jobAgentId) throw forbidden('An agent may only start its own jobs.');
}
