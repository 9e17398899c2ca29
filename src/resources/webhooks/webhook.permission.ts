import { hasLevel, requireLevel, requireUserCaller, type Caller } from '../../server/caller.js';

/** Observers (and agents) may read webhooks, without their secrets. */
export function assertMayReadWebhooks(caller: Caller): void {
  requireLevel(caller, 'observer');
}

/** Creators and admins manage webhooks; an agent's token never does. */
export function assertMayManageWebhooks(caller: Caller): void {
  requireLevel(caller, 'creator');
  requireUserCaller(caller, 'Webhooks are managed by users, not agents.');
}

export function maySeeSecret(caller: Caller): boolean {
  return caller.kind !== 'agent' && hasLevel(caller, 'creator');
}
