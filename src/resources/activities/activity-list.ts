import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.js';
import { unknownMarker } from '../shared/v2-pagination.js';
import { jobFromRow, type Job } from '../jobs/job.js';
import type { ActivityListMessage } from './activity-list.message.js';

export interface ActivityScope {
  projectId: string;
  /** An agent's activities: its backups and cleanups, and the restores it is the destination of. */
  agentId?: string;
  /** A configuration's activities: its backups and the restores of them. */
  configurationId?: string;
}

/**
 * One page of jobs ordered by last update, keyset-paged on (updated_at, seq) with the marker naming a job: every
 * page costs the same however deep it is.
 */
export async function listActivities(db: Kysely<Database>, scope: ActivityScope, message: ActivityListMessage): Promise<{ jobs: Job[]; hasMore: boolean }> {
  const { page } = message;
  let query = db.selectFrom('jobs').selectAll().where('project_id', '=', scope.projectId);
  if (scope.agentId !== undefined) query = query.where('agent_id', '=', scope.agentId);
  if (scope.configurationId !== undefined) query = query.where('configuration_id', '=', scope.configurationId);
  if (message.types) query = query.where('kind', 'in', message.types);
  if (message.states) query = query.where('state', 'in', message.states);
  if (message.agentIds) query = query.where('agent_id', 'in', message.agentIds);
  if (message.configurationIds) query = query.where('configuration_id', 'in', message.configurationIds);
  if (page.marker !== undefined) {
    const marker = await db.selectFrom('jobs').select(['updated_at', 'seq']).where('id', '=', page.marker).where('project_id', '=', scope.projectId).executeTakeFirst();
    if (!marker) throw unknownMarker(page.marker);
    const after = page.sortDir === 'asc' ? '>' : '<';
    query = query.where((eb) =>
      eb.or([eb('updated_at', after, marker.updated_at), eb.and([eb('updated_at', '=', marker.updated_at), eb('seq', after, marker.seq)])]),
    );
  }
  const rows = await query.orderBy('updated_at', page.sortDir).orderBy('seq', page.sortDir).limit(page.limit + 1).execute();
  return { jobs: rows.slice(0, page.limit).map(jobFromRow), hasMore: rows.length > page.limit };
}
