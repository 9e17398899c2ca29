import { sql } from 'kysely';
import type { Migration } from '../migrate.js';

const TASK_STATES = sql.raw(`'PENDING', 'RUNNING', 'CANCELING', 'SUCCEEDED', 'FAILED'`);

/** Tasks (V3): the task rows, their labels as rows for label_selector queries, and per-agent sequence counters. */
export const tasksSchema: Migration = {
  id: '0004-tasks',
  async up(db, { serialType }) {
    await db.schema
      .createTable('tasks')
      .addColumn('seq', serialType, (c) => (serialType === 'integer' ? c.primaryKey().autoIncrement() : c.primaryKey()))
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id').onDelete('cascade'))
      .addColumn('sequence_id', 'integer', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('command', 'text', (c) => c.notNull())
      .addColumn('run_user', 'text')
      .addColumn('state', 'text', (c) => c.notNull().check(sql`state IN (${TASK_STATES})`))
      .addColumn('failure_reason', 'text')
      .addColumn('memory_in_mb', 'bigint', (c) => c.notNull())
      .addColumn('disk_in_mb', 'bigint', (c) => c.notNull())
      .addColumn('log_rate_limit', 'bigint', (c) => c.notNull())
      .addColumn('droplet_guid', 'text')
      .addColumn('labels', 'text', (c) => c.notNull())
      .addColumn('annotations', 'text', (c) => c.notNull())
      .addColumn('output', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('output_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('version_no', 'integer', (c) => c.notNull().defaultTo(1))
      .addUniqueConstraint('tasks_agent_sequence', ['agent_id', 'sequence_id'])
      .execute();
    await db.schema.createIndex('tasks_project').on('tasks').columns(['project_id', 'seq']).execute();
    await db.schema.createIndex('tasks_state_updated').on('tasks').columns(['state', 'updated_at']).execute();
    await db.schema.createIndex('tasks_created').on('tasks').columns(['created_at']).execute();

    await db.schema
      .createTable('task_labels')
      .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('task_labels_pk', ['task_id', 'key'])
      .execute();
    await db.schema.createIndex('task_labels_key_value').on('task_labels').columns(['key', 'value']).execute();

    await db.schema
      .createTable('task_sequences')
      .addColumn('agent_id', 'text', (c) => c.primaryKey().references('agents.id').onDelete('cascade'))
      .addColumn('last_sequence_id', 'integer', (c) => c.notNull())
      .execute();
  },
};
