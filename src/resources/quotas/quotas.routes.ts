import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requireLevel, requireServerAdmin, requireUserCaller } from '../../server/caller.js';
import type { AppContext } from '../../server/context.js';
import { v2Scope } from '../../server/request-scope.js';
import { USERS_ONLY } from '../agents/agent.js';
import { fetchAgent } from '../agents/agent.fetcher.js';
import { readAgentQuota, readProjectQuota, writeAgentQuota, writeProjectQuota } from './quota.action.js';
import { parseQuotaUpdate } from './quota.message.js';
import { presentQuota } from './quota.presenter.js';

const tags = ['quotas'];
const Limit = Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]));
const QuotaBody = Type.Object({ bytes: Limit, files: Limit });

/**
 * Vault quotas. A project's limits cover all its agents' vaults and are set by the global administrator (the
 * operator of the server); an agent's limits are set by an admin of its project. Anyone who may see the project
 * reads both with the usage.
 */
export async function quotaRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const agentId = (request: FastifyRequest) => (request.params as { agent_id: string }).agent_id;

  app.get('/v2/:project_id/quota', { schema: { tags, summary: "The project's vault limits and usage" } }, async (request) => {
    const scope = v2Scope(request, ctx);
    requireLevel(scope.caller, 'observer');
    const quota = await readProjectQuota(ctx.store.db, scope.projectId);
    return { project_id: scope.projectId, ...presentQuota(quota.limits, quota.usage) };
  });

  app.put('/v2/:project_id/quota', { schema: { tags, summary: "Set the project's vault limits (global administrator)", body: QuotaBody }, attachValidation: true }, async (request) => {
    const scope = v2Scope(request, ctx);
    const update = parseQuotaUpdate(request.body);
    requireServerAdmin(scope.caller, "Only the server's administrator may set a project's quota.");
    await writeProjectQuota(ctx.store.db, scope.projectId, update);
    const quota = await readProjectQuota(ctx.store.db, scope.projectId);
    return { project_id: scope.projectId, ...presentQuota(quota.limits, quota.usage) };
  });

  app.get('/v2/:project_id/agents/:agent_id/quota', { schema: { tags, summary: "The agent's vault limits and usage, with its project's" } }, async (request) => {
    const scope = v2Scope(request, ctx);
    const agent = await fetchAgent(ctx.store.db, scope.projectId, agentId(request));
    requireLevel(scope.caller, 'observer');
    return presentAgentQuota(await readAgentQuota(ctx.store.db, agent.vault.id));
  });

  app.put('/v2/:project_id/agents/:agent_id/quota', { schema: { tags, summary: "Set the agent's vault limits (admin)", body: QuotaBody }, attachValidation: true }, async (request) => {
    const scope = v2Scope(request, ctx);
    const agent = await fetchAgent(ctx.store.db, scope.projectId, agentId(request));
    const update = parseQuotaUpdate(request.body);
    requireLevel(scope.caller, 'admin');
    requireUserCaller(scope.caller, USERS_ONLY);
    await writeAgentQuota(ctx.store.db, agent.id, update);
    return presentAgentQuota(await readAgentQuota(ctx.store.db, agent.vault.id));
  });
}

function presentAgentQuota(quota: Awaited<ReturnType<typeof readAgentQuota>>) {
  return {
    agent_id: quota.agentId,
    ...presentQuota(quota.agent.limits, quota.agent.usage),
    project: { project_id: quota.projectId, ...presentQuota(quota.project.limits, quota.project.usage) },
  };
}
