import { readAgentLimits } from '../agent-limits/agent-limits.js';
import { readQueueSettings } from '../queue/queue-settings.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { EXCLUSION_TYPES } from '../../engine/archiver/exclusion.js';
import { badRequest } from '../../errors/app-error.js';
import type { AppContext } from '../../server/context.js';
import { requireLevel, requireUserCaller } from '../../server/caller.js';
import { v2Scope } from '../../server/request-scope.js';
import { fetchAgent, findAgent } from '../agents/agent.fetcher.js';
import { parseBooleanQuery } from '../common/v2-pagination.js';
import { CONFIGURATIONS_BY_USERS } from './agent-access.js';
import { assertMayListProject, assertMaySeeAgentsResource } from '../agents/agent.permission.js';
import { presentAgentConfiguration } from './agent-configuration.presenter.js';
import { createConfiguration } from './configuration-create.action.js';
import { parseConfigurationCreate } from './configuration-create.message.js';
import { deleteConfiguration } from './configuration-delete.action.js';
import { fetchConfiguration } from './configuration.fetcher.js';
import { listConfigurations } from './configuration-list.js';
import { CONFIGURATION_PATCH, parseConfigurationPatch } from './configuration-patch.message.js';
import { presentConfiguration, presentConfigurationSummary } from './configuration.presenter.js';
import { updateConfiguration } from './configuration-update.action.js';
import { parseRetentionDryRun } from './retention-dry-run.message.js';
import { fetchRetentionPlan } from './retention-plan.fetcher.js';
import { presentRetentionPlan } from './retention-plan.presenter.js';
import { patchBodySchema } from '../common/patch-body.schema.js';

const tags = ['configurations'];

const PathItem = Type.Object({ type: Type.String({ enum: ['file', 'folder'] }), path: Type.String() });
const ExclusionItem = Type.Object(
  {
    type: Type.String({ enum: [...EXCLUSION_TYPES] }),
    path: Type.Optional(Type.String({ description: 'file/folder: the path; pattern: a glob (`*.log`, `**/node_modules`, `/srv/www/cache/**`); if_present: a file name such as `.nobackup`' })),
    ignore_case: Type.Optional(Type.Boolean({ description: 'pattern: match case-insensitively' })),
    size: Type.Optional(Type.Integer({ minimum: 1, description: 'larger_than: files of more bytes than this are left out' })),
  },
  { description: 'caches: directories tagged with CACHEDIR.TAG are left out; other_file_systems: the backup stays on the file system of each inclusion' },
);
const ConfigurationBody = Type.Object({
  agent_id: Type.String(),
  name: Type.String(),
  enabled: Type.Boolean(),
  schedule: Type.Union([Type.Object({ recurrence: Type.Array(Type.String()), time_zone: Type.String() }), Type.Null()]),
  retention: Type.Object({
    days: Type.Integer({ minimum: 0, description: 'v2: keep each backup this many days; 0 alone keeps forever' }),
    keep_last: Type.Optional(Type.Integer({ minimum: 0 })),
    keep_hourly: Type.Optional(Type.Integer({ minimum: 0 })),
    keep_daily: Type.Optional(Type.Integer({ minimum: 0 })),
    keep_weekly: Type.Optional(Type.Integer({ minimum: 0 })),
    keep_monthly: Type.Optional(Type.Integer({ minimum: 0 })),
    keep_yearly: Type.Optional(Type.Integer({ minimum: 0 })),
    keep_within: Type.Optional(Type.String({ description: 'years, months, days, hours before the newest backup, e.g. 1y6m or 7d' })),
  }),
  inclusions: Type.Array(PathItem),
  exclusions: Type.Array(ExclusionItem),
  notifications: Type.Array(Type.Object({ type: Type.String({ enum: ['email'] }), destination: Type.String(), on_success: Type.Boolean(), on_failure: Type.Boolean() })),
  bandwidth: Type.Optional(
    Type.Union([
      Type.Object(
        {
          upload_bytes_per_second: Type.Optional(Type.Union([Type.Integer({ minimum: 1024 }), Type.Null()])),
          download_bytes_per_second: Type.Optional(Type.Union([Type.Integer({ minimum: 1024 }), Type.Null()])),
        },
        { description: "Coffer: this configuration's vault bandwidth (backups upload, restores of its backups download); the agent's limits apply too, the stricter wins" },
      ),
      Type.Null(),
    ]),
  ),
  backup_window: Type.Optional(
    Type.Union([
      Type.Object(
        {
          start: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }),
          end: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }),
          outside: Type.Optional(Type.String({ enum: ['pause', 'stop'] })),
        },
        {
          description:
            "Coffer: the time of day scheduled backups may run, in the schedule's zone (end before start crosses midnight); outside: what a scheduled backup still running when it closes does (default pause)",
        },
      ),
      Type.Null(),
    ]),
  ),
});
const RestorableQuery = Type.Object({ restorable: Type.Optional(Type.String({ description: 'true (any case): only configurations with restorable backups' })) });

const configurationId = (request: FastifyRequest) => (request.params as { configuration_id: string }).configuration_id;
const agentId = (request: FastifyRequest) => (request.params as { agent_id: string }).agent_id;

export async function configurationRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.post('/v2/:project_id/configurations', { schema: { tags, summary: 'Create a configuration', body: ConfigurationBody }, attachValidation: true }, async (request, reply) => {
    const scope = v2Scope(request, ctx);
    const message = parseConfigurationCreate(request.body);
    if (!(await findAgent(ctx.store.db, scope.projectId, message.agentId))) {
      throw badRequest('Validation failed.', [`agent_id ${message.agentId} is not an agent of this project.`]);
    }
    requireLevel(scope.caller, 'creator');
    requireUserCaller(scope.caller, CONFIGURATIONS_BY_USERS);
    const configuration = await createConfiguration(ctx, scope.projectId, message);
    return reply.code(201).header('location', scope.urls.v2('configurations', configuration.id)).send(presentConfiguration(configuration, scope.urls));
  });

  app.get('/v2/:project_id/configurations', { schema: { tags, summary: 'List configurations', querystring: RestorableQuery } }, async (request) => {
    const scope = v2Scope(request, ctx);
    requireLevel(scope.caller, 'observer');
    assertMayListProject(scope.caller, 'configurations');
    const restorable = parseBooleanQuery((request.query as Record<string, unknown>).restorable, 'restorable');
    const now = new Date();
    const configurations = await listConfigurations(ctx.store.db, { projectId: scope.projectId, restorable, now });
    return { configurations: configurations.map((configuration) => presentConfigurationSummary(configuration, scope.urls, now)) };
  });

  app.get('/v2/:project_id/configurations/:configuration_id', { schema: { tags, summary: 'Configuration details' } }, async (request) => {
    const scope = v2Scope(request, ctx);
    const configuration = await fetchConfiguration(ctx.store.db, scope.projectId, configurationId(request));
    assertMaySeeAgentsResource(scope.caller, configuration.agentId, 'Configuration not found.');
    requireLevel(scope.caller, 'observer');
    return presentConfiguration(configuration, scope.urls);
  });

  app.patch(
    '/v2/:project_id/configurations/:configuration_id',
    { schema: { tags, summary: 'Update a configuration (JSON Patch, replace only)', body: patchBodySchema(CONFIGURATION_PATCH) }, attachValidation: true },
    async (request, reply) => {
      const scope = v2Scope(request, ctx);
      const configuration = await fetchConfiguration(ctx.store.db, scope.projectId, configurationId(request));
      assertMaySeeAgentsResource(scope.caller, configuration.agentId, 'Configuration not found.');
      const patch = parseConfigurationPatch(request.body);
      requireLevel(scope.caller, 'creator');
      requireUserCaller(scope.caller, CONFIGURATIONS_BY_USERS);
      await updateConfiguration(ctx, configuration.id, patch, (current) => presentConfiguration(current, scope.urls));
      return reply.code(204).send();
    },
  );

  app.get(
    '/v2/:project_id/configurations/:configuration_id/retention',
    { schema: { tags, summary: 'Retention dry run: which backups the policy keeps (and by which rules) and which it lets go' } },
    async (request) => {
      const scope = v2Scope(request, ctx);
      const configuration = await fetchConfiguration(ctx.store.db, scope.projectId, configurationId(request));
      assertMaySeeAgentsResource(scope.caller, configuration.agentId, 'Configuration not found.');
      const policy = parseRetentionDryRun(request.query, configuration.retention);
      requireLevel(scope.caller, 'observer');
      return presentRetentionPlan(await fetchRetentionPlan(ctx.store.db, configuration, policy), scope.urls);
    },
  );

  app.delete('/v2/:project_id/configurations/:configuration_id', { schema: { tags, summary: 'Delete a configuration (soft)' } }, async (request, reply) => {
    const scope = v2Scope(request, ctx);
    const configuration = await fetchConfiguration(ctx.store.db, scope.projectId, configurationId(request));
    assertMaySeeAgentsResource(scope.caller, configuration.agentId, 'Configuration not found.');
    requireLevel(scope.caller, 'admin');
    requireUserCaller(scope.caller, CONFIGURATIONS_BY_USERS);
    await deleteConfiguration(ctx, configuration);
    return reply.code(204).send();
  });

  app.get('/v2/:project_id/agents/:agent_id/configurations', { schema: { tags: ['agents', ...tags], summary: "An agent's configurations" } }, async (request) => {
    const scope = v2Scope(request, ctx);
    const agent = await fetchAgent(ctx.store.db, scope.projectId, agentId(request));
    requireLevel(scope.caller, 'observer');
    const now = new Date();
    const configurations = await listConfigurations(ctx.store.db, { projectId: scope.projectId, agentId: agent.id, now });
    return { configurations: configurations.map((configuration) => presentConfigurationSummary(configuration, scope.urls, now)) };
  });

  app.get('/v2/:project_id/agents/:agent_id/configuration', { schema: { tags: ['agents', ...tags], summary: "The agent's configuration document" } }, async (request) => {
    const scope = v2Scope(request, ctx);
    const agent = await fetchAgent(ctx.store.db, scope.projectId, agentId(request));
    requireLevel(scope.caller, 'observer');
    const configurations = await listConfigurations(ctx.store.db, { projectId: scope.projectId, agentId: agent.id, now: new Date() });
    const [limits, queue] = await Promise.all([readAgentLimits(ctx.store.db, agent.id), readQueueSettings(ctx.store.db, scope.projectId)]);
    const jobControls = { ...limits, start_jitter_seconds: queue.start_jitter_seconds };
    return presentAgentConfiguration(agent, configurations, scope.urls, ctx.config.idleHeartbeatSeconds * 1000, jobControls);
  });
}
