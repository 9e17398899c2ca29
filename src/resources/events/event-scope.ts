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

export function whereInScope(query: EventQuery, scope: EventScope): EventQuery {
  const inProject = query.where('project_id', '=', scope.projectId).where('hidden', '=', 0);
  switch (scope.kind) {
    case 'project':
      return inProject;
    case 'agent':
      // Project-wide events (agent_activate from POST /events) carry no agent and reach every agent.
      return inProject.where((eb) => eb.or([eb('agent_id', '=', scope.agentId), eb('agent_id', 'is', null)]));
    case 'subject':
      return inProject.where('subject_id', '=', scope.subjectId);
    case 'configuration':
      return inProject.where('configuration_id', '=', scope.configurationId);
  }
}
