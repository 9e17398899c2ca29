import { sql } from 'kysely';
import type { Migration } from '../migrate.js';

/**
 * Agent absences become a history: one row per time an agent was announced offline, closed (`back_at`) when it was
 * announced back, so summaries can list agents that were offline during a period. At most one open row per agent
 * (a partial unique index): the node whose insert wins is the one that announces. The table of 0170 was never
 * written, so it is replaced rather than altered.
 */
export const agentAbsenceHistory: Migration = {
  id: '0190-agent-absence-history',
  async up(db, { serialType }) {
    const serial = (c: any) => (serialType === 'integer' ? c.primaryKey().autoIncrement() : c.primaryKey());
    await db.schema.dropTable('agent_absences').execute();
    await db.schema
      .createTable('agent_absences')
      .addColumn('seq', serialType, serial)
      .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id').onDelete('cascade'))
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('last_seen_at', 'text', (c) => c.notNull())
      .addColumn('announced_at', 'text', (c) => c.notNull())
      .addColumn('back_at', 'text')
      .execute();
    await sql`CREATE UNIQUE INDEX agent_absences_open ON agent_absences (agent_id) WHERE back_at IS NULL`.execute(db);
    await db.schema.createIndex('agent_absences_project').on('agent_absences').columns(['project_id', 'last_seen_at']).execute();
  },
};
