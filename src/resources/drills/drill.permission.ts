import { hasLevel, requireLevel, requireUserCaller, type Caller } from '../../server/caller.js';
import { assertMayListProject } from '../agents/agent.permission.js';

/** Observers read drills and their runs (without the check command, as for tasks); an agent's token does not. */
export function assertMayReadDrills(caller: Caller): void {
  requireLevel(caller, 'observer');
  assertMayListProject(caller, 'drills');
}

/** Creators and admins create, change, delete and start drills; an agent's token never does. */
export function assertMayManageDrills(caller: Caller): void {
  requireLevel(caller, 'creator');
  requireUserCaller(caller, 'Drills are managed by users, not agents.');
}

export function maySeeCommand(caller: Caller): boolean {
  return caller.kind !== 'agent' && hasLevel(caller, 'creator');
}
