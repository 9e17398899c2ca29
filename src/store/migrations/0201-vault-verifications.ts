import { sql } from 'kysely';
import type { Migration } from '../migrate.js';

/**
 * Verification schedules (one per agent, for the agent's vault) and their runs: a `check` that reads one subset of
 * the packs each time, so every pack is read within `subsets` runs.
 */
export const vaultVerifications: Migration = {
  id: '0201-vault-verifications',
  async up(db, { serialType }) {
    const serial = (c: any) => (serialType === 'integer' ? c.primaryKey().autoIncrement() : c.primaryKey());
    await db.schema
      .createTable('vault_verifications')
      .addColumn('agent_id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('enabled', 'integer', (c) => c.notNull())
      .addColumn('schedule', 'text')
      .addColumn('subsets', 'integer', (c) => c.notNull())
      .addColumn('runs_started', 'integer', (c) => c.notNull())
      .addColumn('next_run_time', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('vault_verifications_due').on('vault_verifications').columns(['enabled', 'next_run_time']).execute();
    await db.schema
      .createTable('verification_runs')
      .addColumn('seq', serialType, serial)
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('vault_id', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull().check(sql`state IN ('start_requested', 'in_progress', 'passed', 'failed')`))
      .addColumn('subset', 'integer', (c) => c.notNull())
      .addColumn('subsets', 'integer', (c) => c.notNull())
      .addColumn('started_by', 'text', (c) => c.notNull())
      .addColumn('results', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('ended_at', 'text')
      .execute();
    await db.schema.createIndex('verification_runs_agent').on('verification_runs').columns(['agent_id', 'seq']).execute();
    await db.schema.createIndex('verification_runs_project_updated').on('verification_runs').columns(['project_id', 'updated_at']).execute();
  },
};
