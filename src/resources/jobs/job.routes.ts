import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { JobKind } from '../../domain/job-states.js';
import type { AppContext } from '../../server/context.js';
import { requireLevel } from '../../server/caller.js';
import type { Urls } from '../../server/links.js';
import { v2Scope, type V2Scope } from '../../server/request-scope.js';
import { routeParam } from '../common/route-param.js';
import { pageLinks, parsePageQuery } from '../common/v2-pagination.js';
import type { Job } from './job.js';
import { presentErrorList } from './job-errors.presenter.js';
import { fetchJob } from './job.fetcher.js';
import { listJobs, type JobsQuery } from './job-list.js';
import { applyJobPatch, assertActorMayWrite, jobActor } from './job-patch.action.js';
import { JOB_KIND_RULES } from './job-kind-rules.js';
import { parseJobPatch } from './job-patch.message.js';
import { assertMayListProject } from '../agents/agent.permission.js';
import { assertMaySeeJob } from './job.permission.js';

export interface JobResourceSpec<View = void> {
  kind: JobKind;
  present(job: Job, urls: Urls, view: View): Record<string, unknown>;
  /** List items, when they differ from the detail representation. */
  presentListItem?(job: Job, urls: Urls, view: View): Record<string, unknown>;
  /** Project data the presenter needs beside the job (e.g. retention, for a backup's `restorable`), loaded per request. */
  loadView?(ctx: AppContext, projectId: string): Promise<View>;
  /** Query filters of the list beyond marker/limit/sort_dir; returns the SQL filter and the values to keep in links. */
  listFilter?(
    request: FastifyRequest,
    scope: V2Scope,
  ): Promise<{ filter?: (q: JobsQuery) => JobsQuery; keep: Record<string, string | undefined> }>;
}

export const PageQuerySchema = {
  marker: Type.Optional(Type.String({ description: 'id of the last item seen' })),
  limit: Type.Optional(Type.String({ description: 'page size, 1–1000 (default 100)' })),
  sort_dir: Type.Optional(Type.String({ enum: ['asc', 'desc'] })),
};

const PatchBody = Type.Array(
  Type.Object({ op: Type.String({ enum: ['add', 'replace', 'test'] }), path: Type.String(), value: Type.Optional(Type.Unknown()) }),
  { description: 'RFC 6902 JSON Patch' },
);

/** List, details, the agent's JSON Patch reports and the errors list: the same for every job type. */
export function registerJobRoutes<View = void>(app: FastifyInstance, ctx: AppContext, spec: JobResourceSpec<View>): void {
  const collection = `${spec.kind}s`;
  const rules = JOB_KIND_RULES[spec.kind];
  const idParam = `${spec.kind}_id`;
  const tags = [collection];
  const jobId = (request: FastifyRequest) => routeParam(request, idParam);
  const loadView = (projectId: string): Promise<View> => (spec.loadView ? spec.loadView(ctx, projectId) : Promise.resolve(undefined as View));

  app.get(`/v2/:project_id/${collection}`, { schema: { tags, summary: `List ${collection}`, querystring: Type.Object(PageQuerySchema, { additionalProperties: true }) } }, async (request) => {
    const scope = v2Scope(request, ctx);
    requireLevel(scope.caller, 'observer');
    assertMayListProject(scope.caller, collection);
    const page = parsePageQuery(request.query as Record<string, unknown>, 'desc');
    const extra = spec.listFilter ? await spec.listFilter(request, scope) : { keep: {} };
    const jobs = await listJobs(ctx.store.db, ctx.store.capabilities.engine, { projectId: scope.projectId, kind: spec.kind, page, filter: extra.filter });
    const present = spec.presentListItem ?? spec.present;
    const view = await loadView(scope.projectId);
    const body: Record<string, unknown> = { [collection]: jobs.map((job) => present(job, scope.urls, view)) };
    if (jobs.length > 0) body.links = pageLinks(scope.urls.v2(collection), page, jobs, extra.keep);
    return body;
  });

  app.get(`/v2/:project_id/${collection}/:${idParam}`, { schema: { tags, summary: `${spec.kind} details` } }, async (request) => {
    const scope = v2Scope(request, ctx);
    const job = await fetchJob(ctx.store.db, spec.kind, scope.projectId, jobId(request));
    assertMaySeeJob(scope.caller, job);
    requireLevel(scope.caller, 'observer');
    return spec.present(job, scope.urls, await loadView(scope.projectId));
  });

  app.patch(
    `/v2/:project_id/${collection}/:${idParam}`,
    { schema: { tags, summary: `Report on a ${spec.kind} (agent) or ask it to stop (user), by JSON Patch`, body: PatchBody }, attachValidation: true },
    async (request, reply) => {
      const scope = v2Scope(request, ctx);
      const job = await fetchJob(ctx.store.db, spec.kind, scope.projectId, jobId(request));
      assertMaySeeJob(scope.caller, job);
    assertMaySeeJob(scope.caller, job);
      const message = parseJobPatch(request.body, rules.patch);
      requireLevel(scope.caller, 'creator');
      const actor = jobActor(scope.caller, job.agentId);
      assertActorMayWrite(actor, message);
      const view = message.tests.length > 0 ? await loadView(scope.projectId) : (undefined as View);
      await applyJobPatch(ctx, job, actor, message, { ...rules, present: (current) => spec.present(current, scope.urls, view) });
      return reply.code(204).send();
    },
  );

  app.get(`/v2/:project_id/${collection}/:${idParam}/errors`, { schema: { tags, summary: `Errors of a ${spec.kind}` } }, async (request) => {
    const scope = v2Scope(request, ctx);
    const job = await fetchJob(ctx.store.db, spec.kind, scope.projectId, jobId(request));
    assertMaySeeJob(scope.caller, job);
    requireLevel(scope.caller, 'observer');
    return presentErrorList(job, scope.urls);
  });
}
