import { forbidden } from '../../errors/app-error.js';
import { isAgentItself, requireLevel, type Caller } from '../../server/caller.js';

/** Waking every agent of the project is for people who may write (creators and admins), never an agent. */
export function assertMayActivateProject(caller: Caller): void {
  if (caller.kind === 'agent') throw forbidden('An agent may not activate the agents of its project.');
  requireLevel(caller, 'creator');
}

/**
 * An agent posts its own events (startup, shutdown, heartbeat, progress) with its own token; people who may write
 * only wake it (`agent_activate`). Another agent's token may post nothing for it.
 */
export function assertMayPostAgentEvent(caller: Caller, agentId: string, event: string): void {
  const isAgent = isAgentItself(caller, agentId);
  if (caller.kind === 'agent' && !isAgent) throw forbidden('An agent may only post events for itself.');
  if (event !== 'agent_activate' && !isAgent) throw forbidden(`Only the agent itself, with its own token, may post "${event}".`);
  // Waking an agent is a write: creators and admins (observers write nothing).
  if (!isAgent) requireLevel(caller, 'creator');
}
