import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { badRequest } from '../../errors/app-error.js';
import type { AppContext } from '../../server/context.js';
import { requireLevel } from '../../server/caller.js';
import { v2Scope } from '../../server/request-scope.js';
import { findAgent } from '../agents/agent.fetcher.js';
import { assertMayStart } from '../jobs/job-start-actor.js';
import { jobHandlers } from '../jobs/job.handlers.js';
import { createCleanup } from './cleanup-create.action.js';
import { parseCleanupCreate } from './cleanup-create.message.js';
import { CLEANUP_FIELDS, presentCleanup } from './cleanup.presenter.js';
import { JOB_START_STATES } from '../../domain/job-states.js';

const CreateBody = Type.Object({ agent_id: Type.String(), state: Type.String({ enum: [...JOB_START_STATES] }) });

export async function cleanupRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.post('/v2/:project_id/cleanups', { schema: { tags: ['cleanups'], summary: 'Start a cleanup', body: CreateBody }, attachValidation: true }, async (request, reply) => {
    const scope = v2Scope(request, ctx);
    const message = parseCleanupCreate(request.body);
    const agent = await findAgent(ctx.store.db, scope.projectId, message.agentId);
    if (!agent) throw badRequest('Validation failed.', [`agent_id ${message.agentId} is not an agent of this project.`]);
    requireLevel(scope.caller, 'creator');
    assertMayStart(scope.caller, message.state, agent.id);
    const job = await createCleanup(ctx, agent, message);
    return reply.code(201).header('location', scope.urls.v2('cleanups', job.id)).send(presentCleanup(job, scope.urls));
  });

  const job = jobHandlers(ctx, { kind: 'cleanup', present: presentCleanup, listItem: { fields: CLEANUP_FIELDS, present: presentCleanup } });
  app.get('/v2/:project_id/cleanups', job.list.options, job.list.handler);
  app.get('/v2/:project_id/cleanups/:cleanup_id', job.show.options, job.show.handler);
  app.patch('/v2/:project_id/cleanups/:cleanup_id', job.report.options, job.report.handler);
  app.get('/v2/:project_id/cleanups/:cleanup_id/errors', job.errors.options, job.errors.handler);
}
