import type { FastifyInstance } from 'fastify';
import { requireLevel, requireUserCaller } from '../../server/caller.js';
import type { AppContext } from '../../server/context.js';
import { v2Scope } from '../../server/request-scope.js';
import { agentsOfProjectChanged } from './queue-announce.js';
import { parseQueueSettings, readQueueSettings, writeQueueSettings } from './queue-settings.js';

const tags = ['settings'];

/** The project's backup queue settings; the server-wide limit is shown beside them (set by COFFER_MAX_RUNNING_BACKUPS). */
export async function queueRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get('/v2/:project_id/settings/queue', { schema: { tags, summary: 'Backups running at once and scheduled start jitter' } }, async (request) => {
    const scope = v2Scope(request, ctx);
    requireLevel(scope.caller, 'observer');
    return { ...(await readQueueSettings(ctx.store.db, scope.projectId)), server_max_running_backups: ctx.config.maxRunningBackups };
  });

  app.put('/v2/:project_id/settings/queue', { schema: { tags, summary: 'Replace the backup queue settings' } }, async (request, reply) => {
    const scope = v2Scope(request, ctx);
    const settings = parseQueueSettings(request.body);
    requireLevel(scope.caller, 'admin');
    requireUserCaller(scope.caller, 'Queue settings are changed by users, not agents.');
    await ctx.store.transaction(async (tx) => {
      await writeQueueSettings(tx.db, scope.projectId, settings);
      // Agents read the start jitter from their configuration document; a raised limit may admit queued backups.
      await agentsOfProjectChanged(ctx, tx, scope.projectId);
    });
    return reply.code(204).send();
  });
}
