import type { FastifyRequest, RouteHandlerMethod, RouteShorthandOptions } from 'fastify';
import { Type } from 'typebox';
import type { JobKind } from '../../domain/job-states.js';
import type { AppContext } from '../../server/context.js';
import { requireLevel } from '../../server/caller.js';
import type { Urls } from '../../server/links.js';
import { v2Scope, type V2Scope } from '../../server/request-scope.js';
import { PageQuerySchema } from '../common/page-query.schema.js';
import { patchBodySchema } from '../common/patch-body.schema.js';
import { routeParam } from '../common/route-param.js';
import { pageLinks, parsePageQuery } from '../common/v2-pagination.js';
import { jobFromRow, type Job } from './job.js';
import { presentErrorList } from './job-errors.presenter.js';
import { fetchJob } from './job.fetcher.js';
import { listJobRows, type JobsQuery } from './job-list.js';
import { ListItemJson } from './list-item-json.js';
import { applyJobPatch } from './job-patch.action.js';
import { JOB_KIND_RULES } from './job-kind-rules.js';
import { parseJobPatch } from './job-patch.message.js';
import { assertMayListProject } from '../agents/agent.permission.js';
import { assertActorMayWrite, assertMaySeeJob, jobActor } from './job.permission.js';

export interface JobResourceSpec<View = void> {
  kind: JobKind;
  present(job: Job, urls: Urls, view: View): Record<string, unknown>;
  /** List items, when they differ from the detail representation. */
  presentListItem?(job: Job, urls: Urls, view: View): Record<string, unknown>;
  /**
   * Project data the presenter needs beside the job (e.g. retention, for a backup's `restorable`), loaded per
   * request; `jobs`, when known before, are the only ones it will be used for.
   */
  loadView?(ctx: AppContext, projectId: string, jobs?: readonly Job[]): Promise<View>;
  /** Query filters of the list beyond marker/limit/sort_dir; returns the SQL filter and the values to keep in links. */
  listFilter?(request: FastifyRequest, scope: V2Scope): Promise<{ filter?: (q: JobsQuery) => JobsQuery; keep: Record<string, string | undefined> }>;
}

/** One route's OpenAPI options and its handler; the job kind's routes file registers it under its literal path. */
export interface JobRoute {
  options: RouteShorthandOptions;
  handler: RouteHandlerMethod;
}

/**
 * The request steps every job kind shares: list, details, the agent's JSON Patch reports (or a user's stop) and the
 * errors list. Each kind's routes file (backups, restores, cleanups) registers them under its own literal paths,
 * `/v2/:project_id/<kind>s` and `/v2/:project_id/<kind>s/:<kind>_id[/errors]`.
 */
export function jobHandlers<View = void>(ctx: AppContext, spec: JobResourceSpec<View>): Record<'list' | 'show' | 'report' | 'errors', JobRoute> {
  const collection = `${spec.kind}s`;
  const rules = JOB_KIND_RULES[spec.kind];
  const tags = [collection];
  const loadView = (projectId: string, jobs?: readonly Job[]): Promise<View> => (spec.loadView ? spec.loadView(ctx, projectId, jobs) : Promise.resolve(undefined as View));
  const fetchScopedJob = async (request: FastifyRequest) => {
    const scope = v2Scope(request, ctx);
    const job = await fetchJob(ctx.store.db, spec.kind, scope.projectId, routeParam(request, `${spec.kind}_id`));
    assertMaySeeJob(scope.caller, job);
    return { scope, job };
  };

  // Items that depend on the row alone (no per-request view) are serialised once per version of their row.
  const itemJson = spec.loadView ? null : new ListItemJson();

  return {
    list: {
      options: { schema: { tags, summary: `List ${collection}`, querystring: Type.Object(PageQuerySchema, { additionalProperties: true }) } },
      handler: async (request, reply) => {
        const scope = v2Scope(request, ctx);
        requireLevel(scope.caller, 'observer');
        assertMayListProject(scope.caller, collection);
        const page = parsePageQuery(request.query as Record<string, unknown>, 'desc');
        const extra = spec.listFilter ? await spec.listFilter(request, scope) : { keep: {} };
        const present = spec.presentListItem ?? spec.present;
        const view = await loadView(scope.projectId);
        const rows = await listJobRows(ctx.store.db, ctx.store.capabilities.engine, { projectId: scope.projectId, kind: spec.kind, page, filter: extra.filter });
        const links = rows.length > 0 ? pageLinks(scope.urls.v2(collection), page, rows, extra.keep) : undefined;
        if (!itemJson) {
          const body: Record<string, unknown> = { [collection]: rows.map((row) => present(jobFromRow(row), scope.urls, view)) };
          if (links) body.links = links;
          return body;
        }
        // The same text JSON.stringify makes of { [collection]: items, links }, from the items' kept text.
        const items = rows.map((row) => itemJson.of(row, scope.urls, () => present(jobFromRow(row), scope.urls, view)));
        const body = `{${JSON.stringify(collection)}:[${items.join(',')}]${links ? `,"links":${JSON.stringify(links)}` : ''}}`;
        return reply.type('application/json; charset=utf-8').send(body);
      },
    },

    show: {
      options: { schema: { tags, summary: `${spec.kind} details` } },
      handler: async (request) => {
        const { scope, job } = await fetchScopedJob(request);
        requireLevel(scope.caller, 'observer');
        return spec.present(job, scope.urls, await loadView(scope.projectId, [job]));
      },
    },

    report: {
      options: {
        schema: { tags, summary: `Report on a ${spec.kind} (agent) or ask it to stop (user), by JSON Patch`, body: patchBodySchema(rules.patch) },
        attachValidation: true,
      },
      handler: async (request, reply) => {
        const { scope, job } = await fetchScopedJob(request);
        const message = parseJobPatch(request.body, rules.patch);
        requireLevel(scope.caller, 'creator');
        const actor = jobActor(scope.caller, job.agentId);
        assertActorMayWrite(actor, message);
        // A job's vault never changes: the view of this one serves the row the patch re-reads.
        const view = message.tests.length > 0 ? await loadView(scope.projectId, [job]) : (undefined as View);
        await applyJobPatch(ctx, job, actor, message, { ...rules, present: (current) => spec.present(current, scope.urls, view) });
        return reply.code(204).send();
      },
    },

    errors: {
      options: { schema: { tags, summary: `Errors of a ${spec.kind}` } },
      handler: async (request) => {
        const { scope, job } = await fetchScopedJob(request);
        requireLevel(scope.caller, 'observer');
        return presentErrorList(job, scope.urls);
      },
    },
  };
}
