import type { Migration } from '../migrate.js';

/**
 * Whether the agent accepts tasks, as it last said when it logged in. Off until the agent's owner enables tasks on
 * the host; an agent that never reported (an older one) counts as off.
 */
export const agentTaskCapability: Migration = {
  id: '0121-agent-task-capability',
  async up(db) {
    await db.schema
      .alterTable('agents')
      .addColumn('tasks_enabled', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  },
};
