import { forbidden, notFound } from '../../errors/app-error.js';
import type { Caller } from '../../server/caller.js';

/** Managing users is for the server's administrator; a user may only change its own password. */
export function requireUserAdmin(caller: Caller): void {
  if (caller.kind !== 'admin') throw forbidden('Only an administrator may manage users.');
}

export function assertMayCreateUsers(caller: Caller): void {
  if (caller.kind !== 'admin') throw forbidden('Only an administrator may create users.');
}

function isSelf(caller: Caller, userId: string): boolean {
  return caller.kind !== 'agent' && caller.userId === userId;
}

/** A user's own password or tokens are its own to change; anyone else's, the administrator's. Returns whether it is the caller's own. */
export function assertMayManageOwnOrAsAdmin(caller: Caller, userId: string): { self: boolean } {
  const self = isSelf(caller, userId);
  if (!self) requireUserAdmin(caller);
  return { self };
}

/**
 * Anyone may revoke a token of its own (a user's, or an agent's); the administrator any token. A token that is not
 * there, or not the caller's to revoke, is 404 alike, so the answer tells nothing about others.
 */
export function assertMayRevokeToken<Owner extends { user_id: string | null; agent_id: string | null }>(caller: Caller, owner: Owner | undefined): asserts owner is Owner {
  const own = owner && ((caller.kind === 'agent' && owner.agent_id === caller.agentId) || (caller.kind !== 'agent' && caller.userId !== null && owner.user_id === caller.userId));
  if (!owner || !(own || caller.kind === 'admin')) throw notFound('Token not found.');
}
