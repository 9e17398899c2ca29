import type { Kysely } from 'kysely';
import { conflict, forbidden, notFound } from '../../errors/app-error.js';
import type { Caller } from '../../server/caller.js';
import type { AppContext } from '../../server/context.js';
import type { Database } from '../../store/database.js';
import { hashPassword, verifyPassword } from './password.js';
import { hashToken } from './tokens.js';

/** `me` names the caller's own user. */
export async function fetchUser(db: Kysely<Database>, caller: Caller, id: string) {
  const userId = id === 'me' ? (caller.kind === 'agent' ? null : caller.userId) : id;
  const row = userId ? await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst() : undefined;
  if (!row) throw notFound('User not found.');
  return row;
}

/** Managing users is for the server's administrator; a user may only change its own password. */
export function requireUserAdmin(caller: Caller): void {
  if (caller.kind !== 'admin') throw forbidden('Only an administrator may manage users.');
}

function refuseSelf(caller: Caller, userId: string, what: string): void {
  if (caller.kind === 'admin' && caller.userId === userId) throw conflict(`You cannot ${what} your own user; another administrator can.`);
}

/** Disabling revokes the user's tokens too; enabling lets it log in again (old tokens stay revoked). */
export async function setUserDisabled(ctx: AppContext, caller: Caller, userId: string, disabled: boolean): Promise<void> {
  if (disabled) refuseSelf(caller, userId, 'disable');
  await ctx.store.transaction(async (tx) => {
    await tx.db.updateTable('users').set({ disabled: disabled ? 1 : 0 }).where('id', '=', userId).execute();
    if (disabled) await tx.db.deleteFrom('tokens').where('user_id', '=', userId).execute();
  });
}

export async function deleteUser(ctx: AppContext, caller: Caller, userId: string): Promise<void> {
  refuseSelf(caller, userId, 'delete');
  await ctx.store.transaction(async (tx) => {
    await tx.db.deleteFrom('tokens').where('user_id', '=', userId).execute();
    await tx.db.deleteFrom('users').where('id', '=', userId).execute();
  });
}

/**
 * Sets a new password. A user changing its own must give the current one (a stolen token alone cannot take the
 * account over); the administrator changing another's need not. Every token of the user is revoked except the one
 * this request came with, when the user changes its own.
 */
export async function changePassword(
  ctx: AppContext,
  caller: Caller,
  user: { id: string; password_hash: string },
  message: { password: string; currentPassword: string | undefined },
  requestToken: string | undefined,
): Promise<void> {
  const self = caller.kind !== 'agent' && caller.userId === user.id;
  if (!self) requireUserAdmin(caller);
  if (self && !(message.currentPassword !== undefined && (await verifyPassword(message.currentPassword, user.password_hash)))) {
    throw forbidden('current_password is missing or wrong.');
  }
  const passwordHash = await hashPassword(message.password);
  const keep = self && requestToken ? hashToken(requestToken) : null;
  await ctx.store.transaction(async (tx) => {
    await tx.db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', user.id).execute();
    let revoke = tx.db.deleteFrom('tokens').where('user_id', '=', user.id);
    if (keep) revoke = revoke.where('token_hash', '!=', keep);
    await revoke.execute();
  });
}

export async function revokeUserTokens(db: Kysely<Database>, userId: string): Promise<number> {
  const result = await db.deleteFrom('tokens').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Revokes one token. Anyone may revoke a token of its own (a user's, or an agent's); the administrator any token.
 * A token that is not there, or not the caller's to revoke, is 404 alike, so the answer tells nothing about others.
 */
export async function revokeToken(db: Kysely<Database>, caller: Caller, token: string): Promise<void> {
  const tokenHash = hashToken(token);
  const row = await db.selectFrom('tokens').select(['user_id', 'agent_id']).where('token_hash', '=', tokenHash).executeTakeFirst();
  const own = row && ((caller.kind === 'agent' && row.agent_id === caller.agentId) || (caller.kind !== 'agent' && caller.userId !== null && row.user_id === caller.userId));
  if (!row || !(own || caller.kind === 'admin')) throw notFound('Token not found.');
  await db.deleteFrom('tokens').where('token_hash', '=', tokenHash).execute();
}

