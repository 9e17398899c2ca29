import type { Migration } from '../migrate.js';

/** An agent's vault bandwidth limits in bytes per second (null: none). */
export const agentBandwidth: Migration = {
  id: '0211-agent-bandwidth',
  async up(db) {
    await db.schema.alterTable('agent_limits').addColumn('upload_bytes_per_second', 'bigint').execute();
    await db.schema.alterTable('agent_limits').addColumn('download_bytes_per_second', 'bigint').execute();
  },
};
