import { forbidden } from '../../errors/app-error.js';
import { isAgentItself, type Caller } from '../../server/caller.js';

/** Only the agent that runs a verification reports on it, with its own token. */
export function assertIsRunsAgent(caller: Caller, agentId: string): void {
  if (!isAgentItself(caller, agentId)) throw forbidden('Only the agent that runs a verification reports on it.');
}
