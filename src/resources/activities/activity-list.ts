import { sql, type Kysely } from 'kysely';
import type { Database } from '../../store/database.js';
import { unknownMarker } from '../common/v2-pagination.js';
import type { ActivityListMessage, ActivityType } from './activity-list.message.js';

export interface ActivityScope {
  projectId: string;
  /** An agent's activities: its backups, cleanups, tasks and verification runs, and the restores it is the destination of. */
  agentId?: string;
  /** A configuration's activities: its backups and the restores of them. */
  configurationId?: string;
}

/** One row of the activity stream: a backup, restore or cleanup (jobs), a task or a verification run, in one shape. */
export interface Activity {
  id: string;
  type: ActivityType;
  agentId: string;
  configurationId: string | null;
  state: string;
  updatedAt: string;
}

/**
 * Jobs and tasks as one relation, filtered before the union so each side uses its own indexes. Tasks have no
 * configuration, so a configuration scope or filter leaves them out.
 */
function activityRelation(db: Kysely<Database>, scope: ActivityScope, message: ActivityListMessage) {
  const wantsJobs = !message.types || message.types.some((type) => type !== 'task' && type !== 'verification');
  const wantsTasks = (!message.types || message.types.includes('task')) && scope.configurationId === undefined && !message.configurationIds;
  const wantsVerifications = (!message.types || message.types.includes('verification')) && scope.configurationId === undefined && !message.configurationIds;
  let jobs = db.selectFrom('jobs').select(['id', 'kind', 'agent_id', 'configuration_id', 'state', 'updated_at']).where('project_id', '=', scope.projectId);
  if (scope.agentId !== undefined) jobs = jobs.where('agent_id', '=', scope.agentId);
  if (scope.configurationId !== undefined) jobs = jobs.where('configuration_id', '=', scope.configurationId);
  // `IN ()` is not valid SQL on every engine: asking only for tasks leaves no job kind, which selects no job.
  const jobKinds = message.types?.filter((type) => type !== 'task' && type !== 'verification');
  if (!wantsJobs) jobs = jobs.where(sql<boolean>`1 = 0`);
  else if (jobKinds) jobs = jobs.where('kind', 'in', jobKinds);
  if (message.states) jobs = jobs.where('state', 'in', message.states);
  if (message.agentIds) jobs = jobs.where('agent_id', 'in', message.agentIds);
  if (message.configurationIds) jobs = jobs.where('configuration_id', 'in', message.configurationIds);
  const withVerifications = () => {
    let runs = db
      .selectFrom('verification_runs')
      .select(['id', sql<string>`'verification'`.as('kind'), 'agent_id', sql<string | null>`CAST(NULL AS TEXT)`.as('configuration_id'), 'state', 'updated_at'])
      .where('project_id', '=', scope.projectId);
    if (scope.agentId !== undefined) runs = runs.where('agent_id', '=', scope.agentId);
    if (message.states) runs = runs.where('state', 'in', message.states);
    if (message.agentIds) runs = runs.where('agent_id', 'in', message.agentIds);
    return runs;
  };
  if (!wantsTasks) return wantsVerifications ? jobs.unionAll(withVerifications()) : jobs;

  let tasks = db
    .selectFrom('tasks')
    .select(['id', sql<string>`'task'`.as('kind'), 'agent_id', sql<string | null>`CAST(NULL AS TEXT)`.as('configuration_id'), 'state', 'updated_at'])
    .where('project_id', '=', scope.projectId);
  if (scope.agentId !== undefined) tasks = tasks.where('agent_id', '=', scope.agentId);
  if (message.states) tasks = tasks.where('state', 'in', message.states);
  if (message.agentIds) tasks = tasks.where('agent_id', 'in', message.agentIds);
  return wantsVerifications ? jobs.unionAll(tasks).unionAll(withVerifications()) : jobs.unionAll(tasks);
}

async function markerPosition(db: Kysely<Database>, projectId: string, marker: string): Promise<{ updated_at: string; id: string }> {
  const job = await db.selectFrom('jobs').select(['updated_at', 'id']).where('id', '=', marker).where('project_id', '=', projectId).executeTakeFirst();
  const found =
    job ??
    (await db.selectFrom('tasks').select(['updated_at', 'id']).where('id', '=', marker).where('project_id', '=', projectId).executeTakeFirst()) ??
    (await db.selectFrom('verification_runs').select(['updated_at', 'id']).where('id', '=', marker).where('project_id', '=', projectId).executeTakeFirst());
  if (!found) throw unknownMarker(marker);
  return found;
}

/**
 * One page of activities ordered by last update, keyset-paged on (updated_at, id) with the marker naming a job or
 * task: every page costs the same however deep it is.
 */
export async function listActivities(db: Kysely<Database>, scope: ActivityScope, message: ActivityListMessage): Promise<Activity[]> {
  const { page } = message;
  let query = db.selectFrom(activityRelation(db, scope, message).as('a')).selectAll();
  if (page.marker !== undefined) {
    const marker = await markerPosition(db, scope.projectId, page.marker);
    const after = page.sortDir === 'asc' ? '>' : '<';
    query = query.where((eb) => eb.or([eb('a.updated_at', after, marker.updated_at), eb.and([eb('a.updated_at', '=', marker.updated_at), eb('a.id', after, marker.id)])]));
  }
  const rows = await query.orderBy('a.updated_at', page.sortDir).orderBy('a.id', page.sortDir).limit(page.limit).execute();
  return rows.map((row) => ({
    id: row.id,
    type: row.kind as ActivityType,
    agentId: row.agent_id,
    configurationId: row.configuration_id,
    state: row.state,
    updatedAt: row.updated_at,
  }));
}
