import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireLevel, requireServerAdmin } from '../../server/caller.js';
import type { AppContext } from '../../server/context.js';
import { v2Scope } from '../../server/request-scope.js';
import { readObjectLock } from './object-lock.js';
import { writeObjectLock } from './object-lock.action.js';
import { parseObjectLockUpdate } from './object-lock.message.js';
import { presentObjectLock } from './object-lock.presenter.js';

const tags = ['object-lock'];
const ObjectLockBody = Type.Object({ mode: Type.Optional(Type.String({ enum: ['GOVERNANCE', 'COMPLIANCE'] })), days: Type.Integer({ minimum: 0 }) });

/**
 * S3 Object Lock per project: the retention every vault file its agents upload carries. Set by the global
 * administrator (a COMPLIANCE retention cannot be shortened by anyone, and retained data is paid for); read by anyone
 * who may see the project.
 */
export async function objectLockRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get('/v2/:project_id/object-lock', { schema: { tags, summary: "The project's S3 Object Lock retention for new vault files" } }, async (request) => {
    const scope = v2Scope(request, ctx);
    requireLevel(scope.caller, 'observer');
    return presentObjectLock(scope.projectId, await readObjectLock(ctx.store.db, scope.projectId));
  });

  app.put(
    '/v2/:project_id/object-lock',
    { schema: { tags, summary: "Set the project's S3 Object Lock retention (global administrator)", body: ObjectLockBody }, attachValidation: true },
    async (request) => {
      const scope = v2Scope(request, ctx);
      const lock = parseObjectLockUpdate(request.body);
      requireServerAdmin(scope.caller, "Only the server's administrator may set a project's Object Lock.");
      await writeObjectLock(ctx, scope.projectId, lock);
      return presentObjectLock(scope.projectId, await readObjectLock(ctx.store.db, scope.projectId));
    },
  );
}
