import type { Kysely } from 'kysely';
import { notFound } from '../../errors/app-error.js';
import type { Database } from '../../store/database.js';
import { BatchedLookup } from '../../store/batched-lookup.js';
import type { JobKind } from '../../domain/job-states.js';
import { jobFromRow, jobTitle, type Job } from './job.js';

/** Every report and every read of one job starts here. */
export const JOB_BY_ID = new BatchedLookup('id', 'jobs.id', (db, keyMatches) => db.selectFrom('jobs').selectAll().where(keyMatches));

/** The job of that kind in the caller's project; anything else (absent, other project, other kind) is 404. */
export async function fetchJob(db: Kysely<Database>, kind: JobKind, projectId: string, id: string): Promise<Job> {
  const row = await JOB_BY_ID.first(db, id);
  if (!row || row.kind !== kind || row.project_id !== projectId) throw notFound(`${jobTitle(kind)} not found.`);
  return jobFromRow(row);
}
