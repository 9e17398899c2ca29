import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { Database } from '../../store/database.js';
import type { JobKind } from '../../domain/job-states.js';
import { beyondSql, cutAtHorizon, readCommitHorizon, settledSql, streamOrderSql } from '../../store/commit-order.js';
import type { Engine } from '../../store/store.js';
import { unknownMarker, type PageQuery } from '../common/v2-pagination.js';
import { jobFromRow, type Job } from './job.js';

/** A query on jobs, whatever it selects: list filters add conditions and keep the selection. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's own spelling of "any selection"
export type JobsQuery = SelectQueryBuilder<Database, 'jobs', any>;

export interface JobListOptions {
  projectId: string;
  kind: JobKind;
  page: PageQuery;
  /** Extra conditions (restorable, configuration_id, …). */
  filter?: (query: JobsQuery) => JobsQuery;
}

/**
 * One keyset page of jobs in the order their creations committed (src/store/commit-order.ts), so a client paging
 * ascending never misses a job created concurrently; costs the same at the first row and the ten-millionth.
 */
export async function listJobs(db: Kysely<Database>, engine: Engine, options: JobListOptions): Promise<Job[]> {
  const { page } = options;
  const horizon = await readCommitHorizon(db, engine);
  let query = db.selectFrom('jobs').selectAll().select(settledSql(horizon).as('settled')).where('project_id', '=', options.projectId).where('kind', '=', options.kind);
  if (page.marker !== undefined) {
    const marker = await db
      .selectFrom('jobs')
      .select(['commit_tx', 'seq'])
      .where('id', '=', page.marker)
      .where('project_id', '=', options.projectId)
      .where('kind', '=', options.kind)
      .executeTakeFirst();
    if (!marker) throw unknownMarker(page.marker);
    query = query.where(beyondSql({ commitTx: Number(marker.commit_tx), id: Number(marker.seq) }, 'seq', page.sortDir));
  }
  // Descending, the newest rows come first: leave out the unsettled ones rather than stop at them.
  if (page.sortDir === 'desc') query = query.where(settledSql(horizon));
  if (options.filter) query = options.filter(query);
  const rows = await query.orderBy(streamOrderSql('seq', page.sortDir)).limit(page.limit).execute();
  return cutAtHorizon(rows).rows.map(jobFromRow);
}
