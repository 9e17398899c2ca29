import type { Kysely } from 'kysely';
import { notFound } from '../../errors/app-error.js';
import type { Database } from '../../store/database.js';
import { PrecompiledQuery } from '../../store/precompiled-query.js';
import type { JobKind } from '../../domain/job-states.js';
import { jobFromRow, jobTitle, type Job } from './job.js';

/** Every report and every read of one job starts here. */
export const JOB_BY_ID = new PrecompiledQuery(1, (db, $) => db.selectFrom('jobs').selectAll().where('id', '=', $(0)));

/** The job of that kind in the caller's project; anything else (absent, other project, other kind) is 404. */
export async function fetchJob(db: Kysely<Database>, kind: JobKind, projectId: string, id: string): Promise<Job> {
  const row = await JOB_BY_ID.first(db, id);
  if (!row || row.kind !== kind || row.project_id !== projectId) throw notFound(`${jobTitle(kind)} not found.`);
  return jobFromRow(row);
}
