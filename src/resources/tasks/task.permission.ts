import { callerRank, type Caller } from '../../server/caller.js';
import { notAuthorized } from '../../errors/v3-catalogue.js';

/** Create, cancel and metadata updates: creators and admins (CF's space developer and admin); 403 otherwise. */
export function assertMayManageTasks(caller: Caller): void {
  if (caller.kind === 'agent' || callerRank(caller) < 2) throw notAuthorized();
}

/** State reports and output: only the task's own agent, by its agent token; 403 otherwise. */
export function assertIsTasksAgent(caller: Caller, agentId: string): void {
  if (caller.kind !== 'agent' || caller.agentId !== agentId) throw notAuthorized();
}
