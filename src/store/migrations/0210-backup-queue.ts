import { sql } from 'kysely';
import type { Migration } from '../migrate.js';

/**
 * The backup queue: whether a backup waits for a run slot or holds one (`jobs.admission`), the one-row table every
 * admission decision locks first (so that two API nodes never both hand out the last slot), the project's queue
 * settings and each agent's own limit on jobs at once.
 */
export const backupQueue: Migration = {
  id: '0210-backup-queue',
  async up(db) {
    await db.schema
      .alterTable('jobs')
      .addColumn('admission', 'text', (c) => c.check(sql`admission IN ('waiting', 'admitted')`))
      .execute();
    // Backups from before the queue existed were all started at once: they hold their slots until they end.
    await db.updateTable('jobs').set({ admission: 'admitted' }).where('kind', '=', 'backup').execute();
    await db.schema.createIndex('jobs_admission').on('jobs').columns(['admission', 'state']).execute();

    await db.schema
      .createTable('admission_turns')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('turns', 'integer', (c) => c.notNull())
      .execute();
    await db.insertInto('admission_turns').values({ id: 1, turns: 0 }).execute();

    await db.schema
      .createTable('queue_settings')
      .addColumn('project_id', 'text', (c) => c.primaryKey())
      .addColumn('max_running_backups', 'integer', (c) => c.notNull())
      .addColumn('start_jitter_seconds', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('agent_limits')
      .addColumn('agent_id', 'text', (c) => c.primaryKey().references('agents.id').onDelete('cascade'))
      .addColumn('max_running_jobs', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
  },
};
