import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { badRequest } from '../../errors/app-error.js';
import type { AppContext } from '../../server/context.js';
import { requireLevel, requireUserCaller } from '../../server/caller.js';
import { v2Scope } from '../../server/request-scope.js';
import { fetchAgent } from '../agents/agent.fetcher.js';
import { assertMaySeeAgent, assertMaySeeAgentsResource } from '../agents/agent.permission.js';
import { parsePageQuery } from '../common/v2-pagination.js';
import { fetchVerificationRun, findVerificationSettings, listVerificationRuns } from './verification.fetcher.js';
import { presentVerificationRun, presentVerificationSettings } from './verification.presenter.js';
import { reportVerification } from './verification-report.action.js';
import { parseVerificationReport, VERIFICATION_REPORT } from './verification-report.message.js';
import { insertVerificationRun } from './verification-run-start.action.js';
import { saveVerificationSettings } from './verification-settings.action.js';
import { parseVerificationSettings } from './verification-settings.message.js';
import { patchBodySchema } from '../common/patch-body.schema.js';
import { assertIsRunsAgent } from './verification.permission.js';

const tags = ['verifications'];
const BY_USERS = 'Verification schedules are set by users, not agents.';
const SettingsBody = Type.Object({
  enabled: Type.Boolean(),
  schedule: Type.Union([Type.Null(), Type.Object({ recurrence: Type.Array(Type.String()), time_zone: Type.String() })]),
  read_data_subsets: Type.Integer({ minimum: 1, maximum: 256, description: 'N: each run reads 1/N of the packs (restic --read-data-subset n/N); all within N runs' }),
});

const agentId = (request: FastifyRequest) => (request.params as { agent_id: string }).agent_id;
const runId = (request: FastifyRequest) => (request.params as { verification_id: string }).verification_id;

export async function verificationRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get('/v2/:project_id/agents/:agent_id/verification', { schema: { tags, summary: "The agent vault's verification schedule" } }, async (request) => {
    const scope = v2Scope(request, ctx);
    const agent = await fetchAgent(ctx.store.db, scope.projectId, agentId(request));
    assertMaySeeAgent(scope.caller, agent.id);
    requireLevel(scope.caller, 'observer');
    return presentVerificationSettings(agent.id, await findVerificationSettings(ctx.store.db, agent.id), scope.urls);
  });

  app.put(
    '/v2/:project_id/agents/:agent_id/verification',
    { schema: { tags, summary: "Set the agent vault's verification schedule", body: SettingsBody }, attachValidation: true },
    async (request) => {
      const scope = v2Scope(request, ctx);
      const agent = await fetchAgent(ctx.store.db, scope.projectId, agentId(request));
      const settings = parseVerificationSettings(request.body);
      requireLevel(scope.caller, 'creator');
      requireUserCaller(scope.caller, BY_USERS);
      return presentVerificationSettings(agent.id, await saveVerificationSettings(ctx, agent, settings), scope.urls);
    },
  );

  app.post('/v2/:project_id/agents/:agent_id/verification/actions/run', { schema: { tags, summary: 'Verify the agent vault now (the next subset in turn)' } }, async (request, reply) => {
    const scope = v2Scope(request, ctx);
    const agent = await fetchAgent(ctx.store.db, scope.projectId, agentId(request));
    requireLevel(scope.caller, 'creator');
    requireUserCaller(scope.caller, BY_USERS);
    const run = await ctx.store.transaction((tx) => insertVerificationRun(ctx, tx, agent, 'user'));
    return reply.code(202).header('location', scope.urls.v2('verifications', run.id)).send(presentVerificationRun(run, scope.urls));
  });

  app.get('/v2/:project_id/agents/:agent_id/verification/runs', { schema: { tags, summary: "The agent vault's verification runs, newest first (limit, marker)" } }, async (request) => {
    const scope = v2Scope(request, ctx);
    const agent = await fetchAgent(ctx.store.db, scope.projectId, agentId(request));
    assertMaySeeAgent(scope.caller, agent.id);
    requireLevel(scope.caller, 'observer');
    const page = parsePageQuery(request.query as Record<string, unknown>, 'desc');
    if (page.sortDir !== 'desc') throw badRequest('Verification runs are listed newest first only: sort_dir must be "desc".');
    const runs = await listVerificationRuns(ctx.store.db, agent.id, { limit: page.limit + 1, marker: page.marker });
    const shown = runs.slice(0, page.limit);
    const next = `${scope.urls.v2('agents', agent.id, 'verification', 'runs')}?${new URLSearchParams({ marker: shown.at(-1)?.id ?? '', limit: String(page.limit) })}`;
    return { verification_runs: shown.map((run) => presentVerificationRun(run, scope.urls)), links: runs.length > page.limit ? [{ rel: 'next', href: next }] : [] };
  });

  app.get('/v2/:project_id/verifications/:verification_id', { schema: { tags, summary: 'A verification run' } }, async (request) => {
    const scope = v2Scope(request, ctx);
    const run = await fetchVerificationRun(ctx.store.db, scope.projectId, runId(request));
    assertMaySeeAgentsResource(scope.caller, run.agentId, 'Verification run not found.');
    requireLevel(scope.caller, 'observer');
    return presentVerificationRun(run, scope.urls);
  });

  app.patch(
    '/v2/:project_id/verifications/:verification_id',
    { schema: { tags, summary: "The agent reports a verification run's progress and result (JSON Patch)", body: patchBodySchema(VERIFICATION_REPORT) }, attachValidation: true },
    async (request, reply) => {
      const scope = v2Scope(request, ctx);
      const run = await fetchVerificationRun(ctx.store.db, scope.projectId, runId(request));
      assertMaySeeAgentsResource(scope.caller, run.agentId, 'Verification run not found.');
      const report = parseVerificationReport(request.body);
      assertIsRunsAgent(scope.caller, run.agentId);
      await reportVerification(ctx, run.id, report, (current) => presentVerificationRun(current, scope.urls));
      return reply.code(204).send();
    },
  );
}
