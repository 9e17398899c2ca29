import type { Migration } from '../migrate.js';

/**
 * An agent's event stream is its own events and its project's project-wide ones (agent_id null). Read through the
 * project index alone, a poll walked every event of the project after its marker, other agents' included: with
 * thousands of agents, thousands of rows per poll. With (project_id, agent_id, commit_tx, id), each half of the
 * stream is one index range from the marker on (src/resources/events/event-list.ts).
 */
export const eventsProjectAgentIndex: Migration = {
  id: '0290-events-project-agent-index',
  async up(db) {
    await db.schema.createIndex('events_project_agent').on('events').columns(['project_id', 'agent_id', 'commit_tx', 'id']).execute();
  },
};
