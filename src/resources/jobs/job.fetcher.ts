import type { Kysely } from 'kysely';
import { notFound } from '../../errors/app-error.js';
import type { Database } from '../../store/database.js';
import type { JobKind } from '../../domain/job-states.js';
import { jobFromRow, jobTitle, type Job } from './job.js';

/** The job of that kind in the caller's project; anything else (absent, other project, other kind) is 404. */
export async function fetchJob(db: Kysely<Database>, kind: JobKind, projectId: string, id: string): Promise<Job> {
  const row = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || row.kind !== kind || row.project_id !== projectId) throw notFound(`${jobTitle(kind)} not found.`);
  return jobFromRow(row);
}
