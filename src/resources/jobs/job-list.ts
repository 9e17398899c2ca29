import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { Database } from '../../store/database.js';
import type { JobKind } from '../../domain/state-machines/job-machines.js';
import { unknownMarker, type PageQuery } from '../common/v2-pagination.js';
import { jobFromRow, type Job } from './job.js';

export interface JobListOptions {
  projectId: string;
  kind: JobKind;
  page: PageQuery;
  /** Extra conditions (restorable, configuration_id, …). */
  filter?: (query: SelectQueryBuilder<Database, 'jobs', any>) => SelectQueryBuilder<Database, 'jobs', any>;
}

/** One keyset page of jobs in creation order: costs the same at the first row and the ten-millionth. */
export async function listJobs(db: Kysely<Database>, options: JobListOptions): Promise<Job[]> {
  const { page } = options;
  let query = db.selectFrom('jobs').selectAll().where('project_id', '=', options.projectId).where('kind', '=', options.kind);
  if (page.marker !== undefined) {
    const marker = await db
      .selectFrom('jobs')
      .select('seq')
      .where('id', '=', page.marker)
      .where('project_id', '=', options.projectId)
      .where('kind', '=', options.kind)
      .executeTakeFirst();
    if (!marker) throw unknownMarker(page.marker);
    query = query.where('seq', page.sortDir === 'asc' ? '>' : '<', marker.seq);
  }
  if (options.filter) query = options.filter(query);
  const rows = await query.orderBy('seq', page.sortDir).limit(page.limit).execute();
  return rows.map(jobFromRow);
}
