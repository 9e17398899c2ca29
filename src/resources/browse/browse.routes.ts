import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requireLevel, requireUserCaller } from '../../server/caller.js';
import type { AppContext } from '../../server/context.js';
import { v2Scope } from '../../server/request-scope.js';
import { isSingularSpelling, requestPathSpellings } from '../common/request-path-spellings.js';
import { fetchAgent } from '../agents/agent.fetcher.js';
import { assertAgentAnswers, fetchAgentRequest, fetchAgentRequestResult } from '../agents/agent-request.js';
import { fetchJob } from '../jobs/job.fetcher.js';
import { assertMaySeeJob } from '../jobs/job.permission.js';
import { reportBrowseResult, requestBackupBrowse, requestHostBrowse } from './browse.action.js';
import { parseBackupBrowse, parseHostBrowse } from './browse-request.message.js';
import { parseBrowseResult } from './browse-result.message.js';

const tags = ['browse'];
const NOT_READY = 'The agent has not answered this browse request yet.';
const RESULT_NAMES = ['host_browsed', 'backup_browsed'];
const HostBody = Type.Object({ path: Type.String(), path_encoded: Type.Optional(Type.Union([Type.String(), Type.Null()])) });
const BackupBody = Type.Object({
  agent_id: Type.String(),
  encrypted_password_hex: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  path: Type.String(),
  path_encoded: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});
const ResultBody = Type.Object({
  succeeded: Type.Boolean(),
  path: Type.String(),
  path_encoded: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  items: Type.Array(Type.Object({ name: Type.String(), name_encoded: Type.Optional(Type.Union([Type.String(), Type.Null()])), bytes: Type.Integer(), mime_type: Type.String() })),
});

type Params = { agent_id: string; backup_id: string; request_id: string };

const BROWSE_BY_USERS = 'Browse requests are made by users; agents answer them.';

export async function browseRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const params = (request: FastifyRequest) => request.params as Params;

  for (const collection of requestPathSpellings('browse-requests')) {
    app.post(
      `/v2/:project_id/agents/:agent_id/${collection}`,
      { schema: { tags, hide: isSingularSpelling(collection), summary: 'Ask the agent to list a directory of its host', body: HostBody }, attachValidation: true },
      async (request, reply) => {
        const scope = v2Scope(request, ctx);
        const agent = await fetchAgent(ctx.store.db, scope.projectId, params(request).agent_id);
        const message = parseHostBrowse(request.body);
        requireLevel(scope.caller, 'creator');
        requireUserCaller(scope.caller, BROWSE_BY_USERS);
        const requestId = await requestHostBrowse(ctx, agent, message);
        return reply
          .code(202)
          .header('location', scope.urls.v2('agents', agent.id, 'browse-requests', requestId))
          .send();
      },
    );

    app.get(
      `/v2/:project_id/agents/:agent_id/${collection}/:request_id`,
      { schema: { tags, hide: isSingularSpelling(collection), summary: 'Result of a browse request (404 until the agent answers)' } },
      async (request) => {
        const scope = v2Scope(request, ctx);
        const agent = await fetchAgent(ctx.store.db, scope.projectId, params(request).agent_id);
        const pending = await fetchAgentRequest(ctx.store.db, scope.projectId, ['host_browse', 'backup_browse'], params(request).request_id, { agentId: agent.id });
        requireLevel(scope.caller, 'creator');
        requireUserCaller(scope.caller, BROWSE_BY_USERS);
        return fetchAgentRequestResult(ctx.store.db, pending, RESULT_NAMES, NOT_READY);
      },
    );

    app.post(
      `/v2/:project_id/agents/:agent_id/${collection}/:request_id`,
      { schema: { tags, hide: isSingularSpelling(collection), summary: "The agent delivers a browse request's listing (extension)", body: ResultBody }, attachValidation: true },
      async (request, reply) => {
        const scope = v2Scope(request, ctx);
        const agent = await fetchAgent(ctx.store.db, scope.projectId, params(request).agent_id);
        const pending = await fetchAgentRequest(ctx.store.db, scope.projectId, ['host_browse', 'backup_browse'], params(request).request_id, { agentId: agent.id });
        const result = parseBrowseResult(request.body);
        requireLevel(scope.caller, 'creator');
        assertAgentAnswers(scope.caller, agent.id);
        await reportBrowseResult(ctx, pending, result);
        return reply.code(204).send();
      },
    );

    app.post(
      `/v2/:project_id/backups/:backup_id/${collection}`,
      { schema: { tags, hide: isSingularSpelling(collection), summary: 'Ask an agent to list a directory inside a backup', body: BackupBody }, attachValidation: true },
      async (request, reply) => {
        const scope = v2Scope(request, ctx);
        const backup = await fetchJob(ctx.store.db, 'backup', scope.projectId, params(request).backup_id);
        assertMaySeeJob(scope.caller, backup);
        const message = parseBackupBrowse(request.body);
        requireLevel(scope.caller, 'observer');
        requireUserCaller(scope.caller, BROWSE_BY_USERS);
        const requestId = await requestBackupBrowse(ctx, backup, message);
        return reply
          .code(202)
          .header('location', scope.urls.v2('backups', backup.id, 'browse-requests', requestId))
          .send();
      },
    );

    app.get(
      `/v2/:project_id/backups/:backup_id/${collection}/:request_id`,
      { schema: { tags, hide: isSingularSpelling(collection), summary: 'Result of a backup browse request (404 until the agent answers)' } },
      async (request) => {
        const scope = v2Scope(request, ctx);
        const backup = await fetchJob(ctx.store.db, 'backup', scope.projectId, params(request).backup_id);
        assertMaySeeJob(scope.caller, backup);
        const pending = await fetchAgentRequest(ctx.store.db, scope.projectId, ['backup_browse'], params(request).request_id, { subjectId: backup.id });
        requireLevel(scope.caller, 'observer');
        requireUserCaller(scope.caller, BROWSE_BY_USERS);
        return fetchAgentRequestResult(ctx.store.db, pending, ['backup_browsed'], NOT_READY);
      },
    );
  }
}
