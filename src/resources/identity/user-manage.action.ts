import type { Kysely } from 'kysely';
import { conflict, forbidden } from '../../errors/app-error.js';
import type { Caller } from '../../server/caller.js';
import type { AppContext } from '../../server/context.js';
import type { Database } from '../../store/database.js';
import { hashPassword, verifyPassword } from './password.js';
import { hashToken } from './tokens.js';

function refuseSelf(caller: Caller, userId: string, what: string): void {
  if (caller.kind === 'admin' && caller.userId === userId) throw conflict(`You cannot ${what} your own user; another administrator can.`);
}

/** Disabling revokes the user's tokens too; enabling lets it log in again (old tokens stay revoked). */
export async function setUserDisabled(ctx: AppContext, caller: Caller, userId: string, disabled: boolean): Promise<void> {
  if (disabled) refuseSelf(caller, userId, 'disable');
  await ctx.store.transaction(async (tx) => {
    await tx.db
      .updateTable('users')
      .set({ disabled: disabled ? 1 : 0 })
      .where('id', '=', userId)
      .execute();
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
  self: boolean,
  user: { id: string; password_hash: string },
  message: { password: string; currentPassword: string | undefined },
  requestToken: string | undefined,
): Promise<void> {
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

/** Revokes one token (see assertMayRevokeToken for whose). */
export async function revokeToken(db: Kysely<Database>, tokenHash: string): Promise<void> {
  await db.deleteFrom('tokens').where('token_hash', '=', tokenHash).execute();
}
