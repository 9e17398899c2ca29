import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { badRequest } from '../../errors/app-error.js';
import { tokenFrom } from '../../server/auth.js';
import type { AppContext } from '../../server/context.js';
import { callerOf } from '../../server/request-scope.js';
import { routeParam } from '../common/route-param.js';
import { parsePasswordChange } from './password-change.message.js';
import { changePassword, deleteUser, revokeToken, revokeUserTokens, setUserDisabled } from './user-manage.action.js';
import { fetchUser, findTokenOwner, listUsers } from './user.fetcher.js';
import { assertMayManageOwnOrAsAdmin, assertMayRevokeToken, requireUserAdmin } from './user.permission.js';
import { presentUserRow } from './user.presenter.js';

const tags = ['identity'];
const UserParams = Type.Object({ user_id: Type.String({ description: 'a user id, or `me`' }) });
const PasswordBody = Type.Object({ password: Type.String(), current_password: Type.Optional(Type.String()) });

/**
 * Users and their tokens: the administrator lists, disables, enables and deletes users and revokes their tokens;
 * every user may change its own password and revoke its own tokens (`DELETE /v2.0/tokens` logs out).
 */
export async function userRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const userId = (request: FastifyRequest) => (request.params as { user_id: string }).user_id;

  app.get('/admin/users', { schema: { tags, summary: 'List users (administrator)', querystring: Type.Object({ project_id: Type.Optional(Type.String()) }) } }, async (request) => {
    requireUserAdmin(callerOf(request));
    const project = (request.query as { project_id?: unknown }).project_id;
    if (project !== undefined && typeof project !== 'string') throw badRequest('project_id must be a string.');
    return { users: (await listUsers(ctx.store.db, project)).map(presentUserRow) };
  });

  app.get('/admin/users/:user_id', { schema: { tags, summary: 'One user (administrator, or `me`)', params: UserParams } }, async (request) => {
    const caller = callerOf(request);
    const user = await fetchUser(ctx.store.db, caller, userId(request));
    if (userId(request) !== 'me') requireUserAdmin(caller);
    return presentUserRow(user);
  });

  const setDisabled = (disabled: boolean) => async (request: FastifyRequest) => {
    const caller = callerOf(request);
    const user = await fetchUser(ctx.store.db, caller, userId(request));
    requireUserAdmin(caller);
    await setUserDisabled(ctx, caller, user.id, disabled);
    return presentUserRow(await fetchUser(ctx.store.db, caller, user.id));
  };
  app.post('/admin/users/:user_id/actions/disable', { schema: { tags, summary: 'Disable a user and revoke its tokens (administrator)', params: UserParams } }, setDisabled(true));
  app.post('/admin/users/:user_id/actions/enable', { schema: { tags, summary: 'Let a disabled user log in again (administrator)', params: UserParams } }, setDisabled(false));

  app.delete('/admin/users/:user_id', { schema: { tags, summary: 'Delete a user and its tokens (administrator)', params: UserParams } }, async (request, reply) => {
    const caller = callerOf(request);
    const user = await fetchUser(ctx.store.db, caller, userId(request));
    requireUserAdmin(caller);
    await deleteUser(ctx, caller, user.id);
    return reply.code(204).send();
  });

  app.put(
    '/admin/users/:user_id/password',
    { schema: { tags, summary: "Change a password: one's own (with current_password), or any as administrator", params: UserParams, body: PasswordBody }, attachValidation: true },
    async (request, reply) => {
      const caller = callerOf(request);
      const user = await fetchUser(ctx.store.db, caller, userId(request));
      const message = parsePasswordChange(request.body);
      const { self } = assertMayManageOwnOrAsAdmin(caller, user.id);
      await changePassword(ctx, self, user, message, tokenFrom(request));
      return reply.code(204).send();
    },
  );

  app.delete('/admin/users/:user_id/tokens', { schema: { tags, summary: "Revoke every token of a user (administrator, or one's own)", params: UserParams } }, async (request) => {
    const caller = callerOf(request);
    const user = await fetchUser(ctx.store.db, caller, userId(request));
    assertMayManageOwnOrAsAdmin(caller, user.id);
    return { revoked: await revokeUserTokens(ctx.store.db, user.id) };
  });

  const revoke = async (request: FastifyRequest, token: string) => {
    const owner = await findTokenOwner(ctx.store.db, token);
    assertMayRevokeToken(callerOf(request), owner);
    await revokeToken(ctx.store.db, owner.token_hash);
  };

  app.delete('/v2.0/tokens', { schema: { tags, summary: 'Revoke the token of this request (log out)' } }, async (request, reply) => {
    await revoke(request, tokenFrom(request) ?? '');
    return reply.code(204).send();
  });

  app.delete(
    '/v2.0/tokens/:token',
    { schema: { tags, summary: 'Revoke a token: one of your own, or any as administrator', params: Type.Object({ token: Type.String() }) } },
    async (request, reply) => {
      await revoke(request, routeParam(request, 'token'));
      return reply.code(204).send();
    },
  );
}
