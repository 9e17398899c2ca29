import type { FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { badRequest } from '../../errors/app-error.js';
import type { AppContext } from '../../server/context.js';
import type { V2Scope } from '../../server/request-scope.js';
import { parseBooleanQuery } from '../common/v2-pagination.js';
import type { JobsQuery } from '../jobs/job-list.js';
import { loadRestorability, restorableCondition } from './backup-restorable.js';

/**
 * `restorable=true` (any case, as the Python SDK sends `True`) keeps only restorable backups; `configuration_id`
 * keeps one configuration's backups, with or without `restorable`.
 */
export async function backupListFilter(ctx: AppContext, request: FastifyRequest, scope: V2Scope) {
  const query = request.query as Record<string, unknown>;
  const restorable = parseBooleanQuery(query.restorable, 'restorable');
  const configurationId = query.configuration_id;
  if (configurationId !== undefined && (typeof configurationId !== 'string' || configurationId === '')) {
    throw badRequest('Invalid configuration_id: give one configuration id.');
  }
  const condition = restorable ? restorableCondition(await loadRestorability(ctx.store.db, scope.projectId)) : undefined;
  const filter = (q: JobsQuery): JobsQuery => {
    let result = q;
    if (configurationId !== undefined) result = result.where('configuration_id', '=', configurationId as string);
    if (condition === null) result = result.where(sql<boolean>`1 = 0`);
    else if (condition !== undefined) result = result.where(condition);
    return result;
  };
  return { filter, keep: { restorable: restorable ? 'true' : undefined, configuration_id: configurationId as string | undefined } };
}
