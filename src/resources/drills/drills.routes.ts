import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../server/context.js';
import { v2Scope, type V2Scope } from '../../server/request-scope.js';
import { parsePageQuery, singleQueryValue } from '../common/v2-pagination.js';
import { DRILL_RUN_STATES } from '../../domain/state-machines/drill-machine.js';
import { fetchDrill, fetchDrillRun, latestRuns, listDrillRuns, listDrills } from './drill.fetcher.js';
import { parseDrillCreate, parseDrillUpdate } from './drill.message.js';
import { assertMayManageDrills, assertMayReadDrills, maySeeCommand } from './drill.permission.js';
import { presentDrill } from './drill.presenter.js';
import { presentDrillRun } from './drill-run.presenter.js';
import { startDrillRun } from './drill-run-start.action.js';
import { createDrill, deleteDrill, updateDrill } from './drill-save.action.js';
import { assertTargetFolderEmpty } from './drill-target-check.js';

const tags = ['drills'];
const Schedule = Type.Union([Type.Null(), Type.Object({ recurrence: Type.Array(Type.String()), time_zone: Type.String() })]);
const Fields = {
  name: Type.String(),
  configuration_id: Type.String(),
  agent_id: Type.String({ description: "The agent that restores and checks (default: the configuration's agent)" }),
  target_path: Type.String({ description: 'Absolute scratch folder on that agent; absent or empty; removed after each run; never "/"' }),
  command: Type.String({ description: 'The check, run in the scratch folder as a v3 task; exit 0 passes' }),
  user: Type.Union([Type.String(), Type.Null()]),
  schedule: Schedule,
  timeout_seconds: Type.Integer({ minimum: 10 }),
  enabled: Type.Boolean(),
};
const CreateBody = Type.Object({
  name: Fields.name,
  configuration_id: Fields.configuration_id,
  agent_id: Type.Optional(Fields.agent_id),
  target_path: Fields.target_path,
  command: Fields.command,
  user: Type.Optional(Fields.user),
  schedule: Type.Optional(Fields.schedule),
  timeout_seconds: Type.Optional(Fields.timeout_seconds),
  enabled: Type.Optional(Fields.enabled),
});
const UpdateBody = Type.Partial(Type.Omit(CreateBody, ['configuration_id']));

const drillId = (request: FastifyRequest) => (request.params as { drill_id: string }).drill_id;

/** Restore drills of a project and their runs (see docs/drills.md). */
export async function drillRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const present = async (scope: V2Scope, drills: Awaited<ReturnType<typeof listDrills>>) => {
    const last = await latestRuns(
      ctx.store.db,
      drills.map((d) => d.id),
    );
    return drills.map((d) => presentDrill(d, scope.urls, { showCommand: maySeeCommand(scope.caller), lastRun: last.get(d.id) }));
  };

  app.post('/v2/:project_id/drills', { schema: { tags, summary: 'Create a restore drill', body: CreateBody }, attachValidation: true }, async (request, reply) => {
    const scope = v2Scope(request, ctx);
    const message = parseDrillCreate(request.body);
    assertMayManageDrills(scope.caller);
    const drill = await createDrill(ctx, scope.projectId, message, (candidate) => assertTargetFolderEmpty(ctx, candidate));
    const [shown] = await present(scope, [drill]);
    return reply.code(201).header('location', scope.urls.v2('drills', drill.id)).send(shown);
  });

  app.get('/v2/:project_id/drills', { schema: { tags, summary: 'List the drills of the project (configuration_id filters)' } }, async (request) => {
    const scope = v2Scope(request, ctx);
    assertMayReadDrills(scope.caller);
    const configurationId = singleQueryValue((request.query as Record<string, unknown>).configuration_id, 'configuration_id');
    return { drills: await present(scope, await listDrills(ctx.store.db, scope.projectId, { configurationId })) };
  });

  app.get('/v2/:project_id/drills/:drill_id', { schema: { tags, summary: 'Drill details with its last run' } }, async (request) => {
    const scope = v2Scope(request, ctx);
    const drill = await fetchDrill(ctx.store.db, scope.projectId, drillId(request));
    assertMayReadDrills(scope.caller);
    return (await present(scope, [drill]))[0];
  });

  app.patch('/v2/:project_id/drills/:drill_id', { schema: { tags, summary: 'Change a drill (a JSON object of the fields to change)', body: UpdateBody }, attachValidation: true }, async (request) => {
    const scope = v2Scope(request, ctx);
    const drill = await fetchDrill(ctx.store.db, scope.projectId, drillId(request));
    const message = parseDrillUpdate(request.body);
    assertMayManageDrills(scope.caller);
    const updated = await updateDrill(ctx, drill, message, (candidate) =>
      message.targetPath !== undefined || message.agentId !== undefined ? assertTargetFolderEmpty(ctx, candidate) : Promise.resolve(),
    );
    return (await present(scope, [updated]))[0];
  });

  app.delete('/v2/:project_id/drills/:drill_id', { schema: { tags, summary: 'Delete a drill and its run history' } }, async (request, reply) => {
    const scope = v2Scope(request, ctx);
    const drill = await fetchDrill(ctx.store.db, scope.projectId, drillId(request));
    assertMayManageDrills(scope.caller);
    await deleteDrill(ctx, drill);
    return reply.code(204).send();
  });

  app.post('/v2/:project_id/drills/:drill_id/runs', { schema: { tags, summary: 'Run the drill now' } }, async (request, reply) => {
    const scope = v2Scope(request, ctx);
    const drill = await fetchDrill(ctx.store.db, scope.projectId, drillId(request));
    assertMayManageDrills(scope.caller);
    await assertTargetFolderEmpty(ctx, drill);
    const run = await startDrillRun(ctx, drill, { startedBy: 'user' });
    return reply.code(201).header('location', scope.urls.v2('drill-runs', run.id)).send(presentDrillRun(run, scope.urls));
  });

  const runPage = async (request: FastifyRequest, scope: V2Scope, drillIdFilter: string | undefined) => {
    const query = request.query as Record<string, unknown>;
    const page = parsePageQuery(query, 'desc');
    const runs = await listDrillRuns(ctx.store.db, scope.projectId, { drillId: drillIdFilter, limit: page.limit + 1, marker: page.marker });
    const shown = runs.slice(0, page.limit);
    const links = runs.length > page.limit ? [{ rel: 'next', href: nextHref(scope, drillIdFilter, shown.at(-1)!.id, page.limit) }] : [];
    return { drill_runs: shown.map((r) => presentDrillRun(r, scope.urls)), links };
  };

  app.get('/v2/:project_id/drills/:drill_id/runs', { schema: { tags, summary: 'Runs of a drill, newest first (limit, marker)' } }, async (request) => {
    const scope = v2Scope(request, ctx);
    const drill = await fetchDrill(ctx.store.db, scope.projectId, drillId(request));
    assertMayReadDrills(scope.caller);
    return runPage(request, scope, drill.id);
  });

  app.get('/v2/:project_id/drill-runs', { schema: { tags, summary: 'Drill runs of the project, newest first (limit, marker)' } }, async (request) => {
    const scope = v2Scope(request, ctx);
    assertMayReadDrills(scope.caller);
    return runPage(request, scope, undefined);
  });

  app.get('/v2/:project_id/drill-runs/:run_id', { schema: { tags, summary: `A drill run: restore, check and outcome (${DRILL_RUN_STATES.join(', ')})` } }, async (request) => {
    const scope = v2Scope(request, ctx);
    const run = await fetchDrillRun(ctx.store.db, scope.projectId, (request.params as { run_id: string }).run_id);
    assertMayReadDrills(scope.caller);
    return presentDrillRun(run, scope.urls);
  });
}

function nextHref(scope: V2Scope, drillIdFilter: string | undefined, marker: string, limit: number): string {
  const base = drillIdFilter ? scope.urls.v2('drills', drillIdFilter, 'runs') : scope.urls.v2('drill-runs');
  return `${base}?${new URLSearchParams({ marker, limit: String(limit) })}`;
}
