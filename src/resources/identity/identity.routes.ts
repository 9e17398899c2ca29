import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../server/context.js';
import { baseUrl } from '../../server/links.js';
import { callerOf } from '../../server/request-scope.js';
import { login, parseLogin } from './login.action.js';
import { createUser, presentUser } from './user-create.action.js';
import { parseUserCreate } from './user-create.message.js';
import { assertMayCreateUsers } from './user.permission.js';

const UserBody = Type.Object({
  username: Type.String(),
  password: Type.String(),
  project_id: Type.String(),
  roles: Type.Array(Type.String({ enum: ['cloudbackup:admin', 'cloudbackup:creator', 'cloudbackup:observer'] })),
});

const TokenBody = Type.Object({
  auth: Type.Object({ passwordCredentials: Type.Optional(Type.Object({ username: Type.String(), password: Type.String() })) }),
});

export async function identityRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.post('/admin/users', { schema: { tags: ['identity'], summary: 'Create a user in a project (global admin)', body: UserBody }, attachValidation: true }, async (request, reply) => {
    assertMayCreateUsers(callerOf(request));
    const user = await createUser(ctx, parseUserCreate(request.body));
    return reply.code(201).send(presentUser(user));
  });

  app.post(
    '/v2.0/tokens',
    { config: { public: true }, schema: { tags: ['identity'], summary: 'Get a token (Keystone v2.0 compatible)', body: TokenBody }, attachValidation: true },
    async (request) => {
      const { token, user } = await login(ctx, parseLogin(request.body), request.ip);
      const base = baseUrl(ctx);
      const tenant = user.projectId ?? '';
      return {
        access: {
          token: { id: token.id, expires: token.expires, tenant: { id: tenant, name: tenant } },
          user: { id: user.id, name: user.username, roles: (user.isAdmin ? ['cloudbackup:admin', 'admin'] : user.roles).map((name) => ({ name })) },
          serviceCatalog: [{ name: 'cloudBackup', type: 'rax:backup', endpoints: [{ publicURL: `${base}/v2/${tenant}`, tenantId: tenant }] }],
        },
      };
    },
  );
}
