import { badRequest, forbidden } from '../../errors/app-error.js';
import type { Caller } from '../../server/caller.js';

/**
 * `start_requested` is a user's request; `start_scheduled` is the agent starting its own scheduled job and needs the
 * agent (its token, or X-Agent-Id naming it).
 */
export function assertMayStart(caller: Caller, agentHeader: string | undefined, state: string, jobAgentId: string): void {
  if (state === 'start_scheduled') {
    const agentId = caller.kind === 'agent' ? caller.agentId : agentHeader;
    if (agentId === undefined) throw badRequest('A scheduled start needs the X-Agent-Id header of the agent that starts it.');
    if (agentId !== jobAgentId) throw forbidden('Only the agent the job belongs to may start it as scheduled.');
    if (caller.kind === 'agent' && agentHeader !== undefined && agentHeader !== caller.agentId) throw forbidden('X-Agent-Id does not match the agent token.');
    return;
  }
  if (caller.kind === 'agent' && caller.agentId !== jobAgentId) throw forbidden('An agent may only start its own jobs.');
}
