import type { AppContext } from '../../server/context.js';
import { invalidToken } from '../../errors/app-error.js';
import { BodyCheck } from '../common/body-check.js';
import { verifyPassword } from './password.js';
import { issueToken, type IssuedToken } from './tokens.js';

export interface LoginMessage {
  username: string;
  secret: string;
}

/** Keystone v2.0 bodies: passwordCredentials, or Rackspace's apiKeyCredentials (the API key is the password). */
export function parseLogin(body: unknown): LoginMessage {
  const check = BodyCheck.object(body);
  const auth = check.object('auth', { required: true });
  check.done();
  const credentials = (auth?.passwordCredentials ?? auth?.['RAX-KSKEY:apiKeyCredentials']) as Record<string, unknown> | undefined;
  const inner = new BodyCheck({ credentials });
  if (!credentials) inner.problem('auth.passwordCredentials (username, password) is required.');
  const username = inner.string('credentials.username', { required: true });
  const secret = (credentials?.password ?? credentials?.apiKey) as unknown;
  if (credentials && typeof secret !== 'string') inner.problem('auth.passwordCredentials.password must be a string.');
  inner.done();
  return { username: username as string, secret: secret as string };
}

export interface LoginResult {
  token: IssuedToken;
  user: { id: string; username: string; projectId: string | null; roles: string[]; isAdmin: boolean };
}

/** `address` is the client's, for the login throttle (see login-throttle.ts). */
export async function login(ctx: AppContext, message: LoginMessage, address: string): Promise<LoginResult> {
  const account = `user:${message.username}`;
  await ctx.logins.assertAllowed(account, address);
  const row = await ctx.store.db.selectFrom('users').selectAll().where('username', '=', message.username).executeTakeFirst();
  const matches = await verifyPassword(message.secret, row?.password_hash, () => ctx.logins.assertAllowedNow(account, address));
  // A disabled user gets the same answer as a wrong password, after the same work.
  if (!matches || !row || row.disabled) {
    await ctx.logins.failed(account, address);
    throw invalidToken('The username or password is wrong.');
  }
  await ctx.logins.succeeded(account);
  const token = await issueToken(ctx.store.db, { userId: row.id, agentId: null, projectId: row.project_id }, ctx.config.tokenTtlSeconds);
  return { token, user: { id: row.id, username: row.username, projectId: row.project_id, roles: JSON.parse(row.roles), isAdmin: row.is_admin === 1 } };
}
