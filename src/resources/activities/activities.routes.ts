import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../server/context.js';
import { requireLevel } from '../../server/caller.js';
import { v2Scope, type V2Scope } from '../../server/request-scope.js';
import { fetchAgent } from '../agents/agent.fetcher.js';
import { assertMayListProject, assertMaySeeAgentsResource } from '../agents/agent.permission.js';
import { fetchConfiguration } from '../configurations/configuration.fetcher.js';
import { pageLinks } from '../common/v2-pagination.js';
import { PageQuerySchema } from '../common/page-query.schema.js';
import { listActivities, type ActivityScope } from './activity-list.js';
import { parseActivityList, type ActivityFilterName } from './activity-list.message.js';
import { presentActivity } from './activity.presenter.js';

const tags = ['activities'];
const filterDoc = {
  type: Type.Optional(Type.String({ description: 'backup, restore, cleanup or task (comma-separated for several)' })),
  state: Type.Optional(Type.String({ description: 'job state (comma-separated for several)' })),
  agent_ids: Type.Optional(Type.String({ description: 'comma-separated agent ids' })),
  configuration_ids: Type.Optional(Type.String({ description: 'comma-separated configuration ids' })),
};

async function answer(ctx: AppContext, request: FastifyRequest, scope: V2Scope, where: ActivityScope, allowed: readonly ActivityFilterName[], collectionUrl: string) {
  const message = parseActivityList(request.query as Record<string, unknown>, allowed);
  const activities = await listActivities(ctx.store.db, where, message);
  const body: Record<string, unknown> = { activities: activities.map((activity) => presentActivity(activity, scope.urls)) };
  if (activities.length > 0) body.links = pageLinks(collectionUrl, message.page, activities, message.keep);
  return body;
}

export async function activityRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get(
    '/v2/:project_id/activities',
    { schema: { tags, summary: 'Activities of the project', querystring: Type.Object({ ...PageQuerySchema, ...filterDoc }, { additionalProperties: true }) } },
    async (request) => {
      const scope = v2Scope(request, ctx);
      requireLevel(scope.caller, 'observer');
      assertMayListProject(scope.caller, 'activities');
      return answer(ctx, request, scope, { projectId: scope.projectId }, ['type', 'state', 'agent_ids', 'configuration_ids'], scope.urls.v2('activities'));
    },
  );

  app.get(
    '/v2/:project_id/agents/:agent_id/activities',
    {
      schema: {
        tags: ['agents', ...tags],
        summary: "An agent's activities",
        querystring: Type.Object({ ...PageQuerySchema, type: filterDoc.type, state: filterDoc.state, configuration_ids: filterDoc.configuration_ids }, { additionalProperties: true }),
      },
    },
    async (request) => {
      const scope = v2Scope(request, ctx);
      const agent = await fetchAgent(ctx.store.db, scope.projectId, (request.params as { agent_id: string }).agent_id);
      requireLevel(scope.caller, 'observer');
      return answer(ctx, request, scope, { projectId: scope.projectId, agentId: agent.id }, ['type', 'state', 'configuration_ids'], scope.urls.v2('agents', agent.id, 'activities'));
    },
  );

  app.get(
    '/v2/:project_id/configurations/:configuration_id/activities',
    {
      schema: {
        tags: ['configurations', ...tags],
        summary: "A configuration's activities (its backups and their restores)",
        querystring: Type.Object({ ...PageQuerySchema, state: filterDoc.state }, { additionalProperties: true }),
      },
    },
    async (request) => {
      const scope = v2Scope(request, ctx);
      const configuration = await fetchConfiguration(ctx.store.db, scope.projectId, (request.params as { configuration_id: string }).configuration_id);
      assertMaySeeAgentsResource(scope.caller, configuration.agentId, 'Configuration not found.');
      requireLevel(scope.caller, 'observer');
      return answer(ctx, request, scope, { projectId: scope.projectId, configurationId: configuration.id }, ['state'], scope.urls.v2('configurations', configuration.id, 'activities'));
    },
  );
}
