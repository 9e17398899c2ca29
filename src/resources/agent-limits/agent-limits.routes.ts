import type { FastifyInstance } from 'fastify';
import { requireLevel, requireUserCaller } from '../../server/caller.js';
import type { AppContext } from '../../server/context.js';
import { v2Scope } from '../../server/request-scope.js';
import { announceAgentChanged } from '../agents/agent-configuration-changed.js';
import { fetchAgent } from '../agents/agent.fetcher.js';
import { ADMISSION_CHANNEL } from '../queue/backup-admission.js';
import { parseAgentLimits, readAgentLimits, writeAgentLimits } from './agent-limits.js';

const tags = ['agents'];
const agentIdOf = (request: { params: unknown }) => (request.params as { agent_id: string }).agent_id;

export async function agentLimitsRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get('/v2/:project_id/agents/:agent_id/limits', { schema: { tags, summary: "The agent's limits: jobs at once" } }, async (request) => {
    const scope = v2Scope(request, ctx);
    const agent = await fetchAgent(ctx.store.db, scope.projectId, agentIdOf(request));
    requireLevel(scope.caller, 'observer');
    return readAgentLimits(ctx.store.db, agent.id);
  });

  app.put('/v2/:project_id/agents/:agent_id/limits', { schema: { tags, summary: "Replace the agent's limits" } }, async (request, reply) => {
    const scope = v2Scope(request, ctx);
    const agent = await fetchAgent(ctx.store.db, scope.projectId, agentIdOf(request));
    const limits = parseAgentLimits(request.body);
    requireLevel(scope.caller, 'creator');
    requireUserCaller(scope.caller, "An agent's limits are set by users, not agents.");
    await ctx.store.transaction(async (tx) => {
      await writeAgentLimits(tx.db, agent.id, limits);
      await announceAgentChanged(ctx, tx, scope.projectId, agent.id);
      await tx.notify(ADMISSION_CHANNEL, 'limits');
    });
    return reply.code(204).send();
  });
}
