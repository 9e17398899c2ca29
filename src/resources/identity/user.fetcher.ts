import type { Kysely } from 'kysely';
import { notFound } from '../../errors/app-error.js';
import type { Caller } from '../../server/caller.js';
import type { Database } from '../../store/database.js';
import { hashToken } from './tokens.js';

/** `me` names the caller's own user. */
export async function fetchUser(db: Kysely<Database>, caller: Caller, id: string) {
  const userId = id === 'me' ? (caller.kind === 'agent' ? null : caller.userId) : id;
  const row = userId ? await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst() : undefined;
  if (!row) throw notFound('User not found.');
  return row;
}

/** Every user by name, or those of one project. */
export async function listUsers(db: Kysely<Database>, projectId: string | undefined) {
  let query = db.selectFrom('users').selectAll().orderBy('username');
  if (projectId) query = query.where('project_id', '=', projectId);
  return query.execute();
}

/** Whose a token is (a user's or an agent's), or undefined when there is no such token. */
export async function findTokenOwner(db: Kysely<Database>, token: string) {
  return db.selectFrom('tokens').select(['token_hash', 'user_id', 'agent_id']).where('token_hash', '=', hashToken(token)).executeTakeFirst();
}
