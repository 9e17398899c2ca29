import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { JOB_KINDS } from '../../domain/job-states.js';
import { hasLevel, requireLevel } from '../../server/caller.js';
import type { AppContext } from '../../server/context.js';
import { v2Scope, type V2Scope } from '../../server/request-scope.js';
import { routeParam } from '../common/route-param.js';
import { pageLinks, type SortDir } from '../common/v2-pagination.js';
import { parseAgentEvent, parseProjectEvent } from './agent-event-post.message.js';
import { postAgentEvent } from './agent-event-post.action.js';
import { activateAgents } from './agent-activate.action.js';
import { HeartbeatRecorder } from './agent-heartbeat.js';
import { listEventsWaiting } from './event-list.js';
import { agentPollWaitSeconds, parseEventListQuery } from './event-list.message.js';
import { agentEventScope, assertAgentExists, configurationEventScope, jobEventScope, projectEventScope } from './event-parent.fetcher.js';
import type { EventScope } from './event-scope.js';
import { presentEvent, presentEventForObserver } from './event.presenter.js';
import { assertMayActivateProject, assertMayPostAgentEvent } from './event.permission.js';

const tags = ['events'];
const ListQuery = Type.Object({
  marker: Type.Optional(Type.String({ description: 'event id: ascending, only newer events; descending, only older ones' })),
  limit: Type.Optional(Type.String({ description: 'page size, 1–1000 (default 100)' })),
  sort_dir: Type.Optional(Type.String({ enum: ['asc', 'desc'] })),
  wait: Type.Optional(Type.String({ description: 'long poll: seconds to hold the request until an event arrives (capped by the server)' })),
});
const PostBody = Type.Object({ event: Type.String(), mode: Type.Optional(Type.String({ enum: ['idle', 'active', 'real_time'] })) }, { additionalProperties: true });

export async function eventRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const heartbeats = new HeartbeatRecorder(ctx);
  app.addHook('onResponse', async (request) => {
    const caller = request.caller;
    if (!caller || !request.url.startsWith('/v2/')) return;
    // Only the agent's own token is its sign of life; a user's X-Agent-Id is not.
    if (caller.kind !== 'agent') return;
    const heard = heartbeats.heard(caller.projectId, caller.agentId);
    heard.catch((err) => request.log.warn({ err }, 'recording a heartbeat failed'));
  });

  /** Lists a scope's events; agents' own reads, and any read with `wait`, are long polls. */
  async function sendEvents(request: FastifyRequest, reply: FastifyReply, scope: V2Scope, eventScope: EventScope, defaultSortDir: SortDir, collectionUrl: string) {
    const query = request.query as Record<string, unknown>;
    const agentPoll = eventScope.kind === 'agent' && scope.caller.kind === 'agent';
    const message = parseEventListQuery(query, defaultSortDir, {
      maxWaitSeconds: ctx.config.maxLongPollSeconds,
      defaultWaitSeconds: agentPoll ? agentPollWaitSeconds(ctx.config.maxLongPollSeconds) : 0,
    });
    requireLevel(scope.caller, 'observer');
    const gone = new AbortController();
    // The response's close means the client went away (or the answer was sent): stop waiting either way.
    reply.raw.once('close', () => gone.abort());
    const rows = await listEventsWaiting(ctx, eventScope, message, gone.signal);
    const events = rows.map(hasLevel(scope.caller, 'creator') ? presentEvent : presentEventForObserver);
    const links = pageLinks(collectionUrl, message.page, events as { id: string }[]);
    return reply.send({ events, links });
  }

  app.get('/v2/:project_id/events', { schema: { tags, summary: 'Events of all agents of the project', querystring: ListQuery }, attachValidation: true }, async (request, reply) => {
    const scope = v2Scope(request, ctx);
    return sendEvents(request, reply, scope, projectEventScope(scope.caller, scope.projectId), 'desc', scope.urls.v2('events'));
  });

  app.get(
    '/v2/:project_id/agents/:agent_id/events',
    { schema: { tags, summary: "An agent's events (a long poll for agents)", querystring: ListQuery }, attachValidation: true },
    async (request, reply) => {
      const scope = v2Scope(request, ctx);
      const agentId = (request.params as { agent_id: string }).agent_id;
      const eventScope = await agentEventScope(ctx, scope.caller, scope.projectId, agentId);
      return sendEvents(request, reply, scope, eventScope, 'asc', scope.urls.v2('agents', agentId, 'events'));
    },
  );

  for (const kind of JOB_KINDS) {
    const param = `${kind}_id`;
    app.get(`/v2/:project_id/${kind}s/:${param}/events`, { schema: { tags, summary: `Events of a ${kind}`, querystring: ListQuery }, attachValidation: true }, async (request, reply) => {
      const scope = v2Scope(request, ctx);
      const jobId = routeParam(request, param);
      const eventScope = await jobEventScope(ctx, scope.caller, scope.projectId, kind, jobId);
      return sendEvents(request, reply, scope, eventScope, 'asc', scope.urls.v2(`${kind}s`, jobId, 'events'));
    });
  }

  app.get(
    '/v2/:project_id/configurations/:configuration_id/events',
    { schema: { tags, summary: 'Events of a configuration', querystring: ListQuery }, attachValidation: true },
    async (request, reply) => {
      const scope = v2Scope(request, ctx);
      const configurationId = (request.params as { configuration_id: string }).configuration_id;
      const eventScope = await configurationEventScope(ctx, scope.caller, scope.projectId, configurationId);
      return sendEvents(request, reply, scope, eventScope, 'desc', scope.urls.v2('configurations', configurationId, 'events'));
    },
  );

  app.post('/v2/:project_id/events', { schema: { tags, summary: 'Wake every agent of the project (agent_activate)', body: PostBody }, attachValidation: true }, async (request, reply) => {
    const scope = v2Scope(request, ctx);
    const message = parseProjectEvent(request.body);
    assertMayActivateProject(scope.caller);
    await activateAgents(ctx, scope.projectId, null, message.mode);
    return reply.code(202).send();
  });

  app.post(
    '/v2/:project_id/agents/:agent_id/events',
    { schema: { tags, summary: 'Agent startup, shutdown, activation, heartbeat and progress', body: PostBody }, attachValidation: true },
    async (request, reply) => {
      const scope = v2Scope(request, ctx);
      const agentId = (request.params as { agent_id: string }).agent_id;
      await assertAgentExists(ctx, scope.projectId, agentId);
      const message = parseAgentEvent(request.body);
      assertMayPostAgentEvent(scope.caller, agentId, message.event);
      await postAgentEvent(ctx, scope.projectId, agentId, message, scope.urls);
      return reply.code(202).send();
    },
  );
}
