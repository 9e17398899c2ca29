import { sql } from 'kysely';
import type { Migration } from '../migrate.js';

/** The drill run states when this migration was written, frozen (test/store/check-lists.test.ts compares them with the domain's). */
const DRILL_RUN_STATES_AT_0220 = ['restoring', 'checking', 'passed', 'failed'];

const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(', '));

/** Restore drills and their runs. */
export const drills: Migration = {
  id: '0220-drills',
  async up(db, { serialType }) {
    const serial = (c: any) => (serialType === 'integer' ? c.primaryKey().autoIncrement() : c.primaryKey());
    await db.schema
      .createTable('drills')
      .addColumn('seq', serialType, serial)
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('configuration_id', 'text', (c) => c.notNull().references('configurations.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id').onDelete('cascade'))
      .addColumn('target_path', 'text', (c) => c.notNull())
      .addColumn('command', 'text', (c) => c.notNull())
      .addColumn('run_user', 'text')
      .addColumn('schedule', 'text')
      .addColumn('timeout_seconds', 'integer', (c) => c.notNull())
      .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('next_run_time', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('drills_project').on('drills').columns(['project_id', 'seq']).execute();
    await db.schema.createIndex('drills_due').on('drills').columns(['enabled', 'next_run_time']).execute();

    await db.schema
      .createTable('drill_runs')
      .addColumn('seq', serialType, serial)
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('drill_id', 'text', (c) => c.notNull().references('drills.id').onDelete('cascade'))
      .addColumn('configuration_id', 'text', (c) => c.notNull())
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('backup_id', 'text')
      .addColumn('restore_id', 'text')
      .addColumn('task_id', 'text')
      .addColumn('state', 'text', (c) => c.notNull().check(sql`state IN (${inList(DRILL_RUN_STATES_AT_0220)})`))
      .addColumn('started_by', 'text', (c) => c.notNull())
      .addColumn('failure_reason', 'text')
      .addColumn('results', 'text', (c) => c.notNull())
      .addColumn('scheduled_time', 'text')
      .addColumn('deadline_at', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('ended_at', 'text')
      .addColumn('version_no', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('drill_runs_drill').on('drill_runs').columns(['drill_id', 'seq']).execute();
    await db.schema.createIndex('drill_runs_project').on('drill_runs').columns(['project_id', 'seq']).execute();
    await db.schema.createIndex('drill_runs_restore').on('drill_runs').column('restore_id').execute();
    await db.schema.createIndex('drill_runs_task').on('drill_runs').column('task_id').execute();
    await db.schema.createIndex('drill_runs_open').on('drill_runs').columns(['state', 'deadline_at']).execute();
  },
};
