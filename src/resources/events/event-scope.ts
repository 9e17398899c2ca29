import type { SelectQueryBuilder } from 'kysely';
import type { Database } from '../../store/database.js';

/**
 * Which events a list shows (docs/reference/rackspace-cloud-backup-v2.md §3.7): the whole project; one agent's (with project-wide activations);
 * one job's; or one configuration's.
 */
export type EventScope =
  | { kind: 'project'; projectId: string }
  | { kind: 'agent'; projectId: string; agentId: string }
  | { kind: 'subject'; projectId: string; subjectId: string }
  | { kind: 'configuration'; projectId: string; configurationId: string };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's own spelling of "any selection"
type EventQuery = SelectQueryBuilder<Database, 'events', any>;

/**
 * The scope's events as queries that each read one index range, whose union is the scope. An agent's stream is its
 * own events and the project-wide ones (agent_activate from POST /events carries no agent and reaches every agent):
 * as one query with an OR, the database walks every event of the project from the marker on, other agents' too.
 */
export function scopeParts(query: EventQuery, scope: EventScope): EventQuery[] {
  const inProject = query.where('project_id', '=', scope.projectId).where('hidden', '=', 0);
  switch (scope.kind) {
    case 'project':
      return [inProject];
    case 'agent':
      return [inProject.where('agent_id', '=', scope.agentId), inProject.where('agent_id', 'is', null)];
    case 'subject':
      return [inProject.where('subject_id', '=', scope.subjectId)];
    case 'configuration':
      return [inProject.where('configuration_id', '=', scope.configurationId)];
  }
}
