import type { Selectable } from 'kysely';
import type { FastifyRequest, RouteHandlerMethod, RouteShorthandOptions } from 'fastify';
import { Type } from 'typebox';
import type { JobKind } from '../../domain/job-states.js';
import type { AppContext } from '../../server/context.js';
import type { JobsTable } from '../../store/database.js';
import { requireLevel } from '../../server/caller.js';
import type { Urls } from '../../server/links.js';
import { v2Scope, type V2Scope } from '../../server/request-scope.js';
import { PageQuerySchema } from '../common/page-query.schema.js';
import { patchBodySchema } from '../common/patch-body.schema.js';
import { routeParam } from '../common/route-param.js';
import { pageLinks, parsePageQuery } from '../common/v2-pagination.js';
import { jobColumns, jobPartFromRow, type Job } from './job.js';
import { presentErrorList } from './job-errors.presenter.js';
import { fetchJob } from './job.fetcher.js';
import { listJobRows, type JobsQuery, type PageRow } from './job-list.js';
import { KeptItemsList } from './kept-items-list.js';
import { applyJobPatch } from './job-patch.action.js';
import { JOB_KIND_RULES } from './job-kind-rules.js';
import { parseJobPatch } from './job-patch.message.js';
import { assertMayListProject } from '../agents/agent.permission.js';
import { assertActorMayWrite, assertMaySeeJob, jobActor } from './job.permission.js';

export interface JobResourceSpec<View = void, ItemField extends keyof Job = keyof Job> {
  kind: JobKind;
  present(job: Job, urls: Urls, view: View): Record<string, unknown>;
  /** List items: the job's fields they show (a page reads only their columns) and how they are presented. */
  listItem: { fields: readonly ItemField[]; present(job: Pick<Job, ItemField>, urls: Urls, view: View): Record<string, unknown> };
  /**
   * Project data the presenter needs beside the job (e.g. retention, for a backup's `restorable`), loaded per
   * request; `jobs`, when known before, are the only ones it will be used for (their vaults).
   */
  loadView?(ctx: AppContext, projectId: string, jobs?: readonly Pick<Job, 'vaultId'>[]): Promise<View>;
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
export function jobHandlers<View = void, ItemField extends keyof Job = keyof Job>(ctx: AppContext, spec: JobResourceSpec<View, ItemField>): Record<'list' | 'show' | 'report' | 'errors', JobRoute> {
  const collection = `${spec.kind}s`;
  const rules = JOB_KIND_RULES[spec.kind];
  const tags = [collection];
  const loadView = (projectId: string, jobs?: readonly Pick<Job, 'vaultId'>[]): Promise<View> => (spec.loadView ? spec.loadView(ctx, projectId, jobs) : Promise.resolve(undefined as View));
  const fetchScopedJob = async (request: FastifyRequest) => {
    const scope = v2Scope(request, ctx);
    const job = await fetchJob(ctx.store.db, spec.kind, scope.projectId, routeParam(request, `${spec.kind}_id`));
    assertMaySeeJob(scope.caller, job);
    return { scope, job };
  };

  const itemFields = spec.listItem.fields;
  const itemColumns = jobColumns(itemFields);
  const presentItem = (row: Partial<Selectable<JobsTable>>, urls: Urls, view: View) => spec.listItem.present(jobPartFromRow(row, itemFields), urls, view);
  // Items that depend on their columns alone (no per-request view) are serialised once per revision of their row.
  const keptItems = spec.loadView ? null : new KeptItemsList(ctx.store, collection, { columns: itemColumns, present: (row, urls) => presentItem(row, urls, undefined as View) });

  return {
    list: {
      options: { schema: { tags, summary: `List ${collection}`, querystring: Type.Object(PageQuerySchema, { additionalProperties: true }) } },
      handler: async (request, reply) => {
        const scope = v2Scope(request, ctx);
        requireLevel(scope.caller, 'observer');
        assertMayListProject(scope.caller, collection);
        const page = parsePageQuery(request.query as Record<string, unknown>, 'desc');
        const extra = spec.listFilter ? await spec.listFilter(request, scope) : { keep: {} };
        const listOptions = { projectId: scope.projectId, kind: spec.kind, page, filter: extra.filter };
        const linksTo = (items: { id: string }[]) => (items.length > 0 ? pageLinks(scope.urls.v2(collection), page, items, extra.keep) : undefined);
        if (keptItems) return reply.type('application/json; charset=utf-8').send(await keptItems.page(listOptions, scope.urls, linksTo));
        const rows = (await listJobRows(ctx.store.db, ctx.store.capabilities.engine, { ...listOptions, columns: itemColumns })) as (PageRow & { id: string })[];
        const view = await loadView(
          scope.projectId,
          rows.map((row) => ({ vaultId: row.vault_id ?? null })),
        );
        const body: Record<string, unknown> = { [collection]: rows.map((row) => presentItem(row, scope.urls, view)) };
        const links = linksTo(rows);
        if (links) body.links = links;
        return body;
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
