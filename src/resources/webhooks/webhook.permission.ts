import { hasLevel, requireLevel, requireUserCaller, type Caller } from '../../server/caller.js';
import { assertMayListProject } from '../agents/agent.permission.js';

/** Observers may read webhooks, without their secrets; an agent's token may not (they are the project's, not its). */
export function assertMayReadWebhooks(caller: Caller): void {
  requireLevel(caller, 'observer');
  assertMayListProject(caller, 'webhooks');
}

/** Creators and admins manage webhooks; an agent's token never does. */
export function assertMayManageWebhooks(caller: Caller): void {
  requireLevel(caller, 'creator');
  requireUserCaller(caller, 'Webhooks are managed by users, not agents.');
}

export function maySeeSecret(caller: Caller): boolean {
  return caller.kind !== 'agent' && hasLevel(caller, 'creator');
}
