import { sql } from 'kysely';
import type { Migration } from '../migrate.js';

/**
 * Which vault a backup was written to. A backup stays restorable only while its vault is attached to an agent of
 * the project (a vault move hands it to another agent, which then serves the restore).
 */
export const jobVault: Migration = {
  id: '0002-job-vault',
  async up(db) {
    await db.schema.alterTable('jobs').addColumn('vault_id', 'text').execute();
    await sql`UPDATE jobs SET vault_id = (SELECT agents.vault_id FROM agents WHERE agents.id = jobs.agent_id) WHERE kind = 'backup'`.execute(db);
    await db.schema.createIndex('jobs_vault').on('jobs').column('vault_id').execute();
  },
};
