import { forbidden } from '../../errors/app-error.js';
import type { Caller } from '../../server/caller.js';

/** An agent's token reads only its own agent's documents; users of the project read every agent's. */
export function assertMayReadAgent(caller: Caller, agentId: string): void {
  if (caller.kind === 'agent' && caller.agentId !== agentId) throw forbidden('An agent may only read its own configuration and activities.');
}

/** Configurations are written by people (the control panel, scripts), never by an agent's own token. */
export const CONFIGURATIONS_BY_USERS = 'Configurations are changed by users, not agents.';
