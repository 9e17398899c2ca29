import { sql } from 'kysely';
import type { Migration } from '../migrate.js';

/**
 * The job states as they stood when this migration was written: frozen here, never read from the live state
 * machines, so that a database migrated long ago and a new one hold the same rule. A later change to the states
 * needs a migration of its own (test/store/check-lists.test.ts compares the database's lists with the domain's).
 */
const JOB_STATES_AT_0001 = [
  'start_requested',
  'start_scheduled',
  'queued',
  'preparing',
  'in_progress',
  'stop_requested',
  'completed',
  'completed_with_errors',
  'failed',
  'stopped',
  'skipped',
  'missed',
];

const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', '));

export const initialSchema: Migration = {
  id: '0001-initial',
  async up(db, { serialType, startSequenceAt }) {
    await db.schema
      .createTable('projects')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('username', 'text', (c) => c.notNull().unique())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('project_id', 'text', (c) => c.references('projects.id'))
      .addColumn('roles', 'text', (c) => c.notNull())
      .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('agents')
      .addColumn('seq', serialType, (c) => (serialType === 'integer' ? c.primaryKey().autoIncrement() : c.primaryKey()))
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('host', 'text', (c) => c.notNull())
      .addColumn('fingerprint', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('enabled', 'integer', (c) => c.notNull())
      .addColumn('rsa_public_key', 'text', (c) => c.notNull())
      .addColumn('vault_id', 'text', (c) => c.notNull())
      .addColumn('vault_region', 'text')
      .addColumn('vault_use_internal', 'integer', (c) => c.notNull())
      .addColumn('vault_encrypted', 'integer', (c) => c.notNull())
      .addColumn('vault_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('log_level', 'text', (c) => c.notNull())
      .addColumn('activation_mode', 'text', (c) => c.notNull())
      .addColumn('registered_time', 'text', (c) => c.notNull())
      .addColumn('last_seen_at', 'text')
      .addColumn('last_heartbeat_event_at', 'text')
      .addColumn('registered_by', 'text')
      .addColumn('version_no', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
    await db.schema.createIndex('agents_project').on('agents').columns(['project_id', 'seq']).execute();

    await db.schema
      .createTable('tokens')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
      .addColumn('agent_id', 'text', (c) => c.references('agents.id').onDelete('cascade'))
      .addColumn('project_id', 'text')
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('tokens_expiry').on('tokens').column('expires_at').execute();

    await db.schema
      .createTable('configurations')
      .addColumn('seq', serialType, (c) => (serialType === 'integer' ? c.primaryKey().autoIncrement() : c.primaryKey()))
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
      .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('enabled', 'integer', (c) => c.notNull())
      .addColumn('schedule', 'text')
      .addColumn('retention_days', 'integer', (c) => c.notNull())
      .addColumn('inclusions', 'text', (c) => c.notNull())
      .addColumn('exclusions', 'text', (c) => c.notNull())
      .addColumn('notifications', 'text', (c) => c.notNull())
      .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_completed_backup_id', 'text')
      .addColumn('next_scheduled_time', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('version_no', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
    await db.schema.createIndex('configurations_project').on('configurations').columns(['project_id', 'seq']).execute();
    await db.schema.createIndex('configurations_agent').on('configurations').columns(['agent_id', 'seq']).execute();

    await db.schema
      .createTable('jobs')
      .addColumn('seq', serialType, (c) => (serialType === 'integer' ? c.primaryKey().autoIncrement() : c.primaryKey()))
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
      .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('backup', 'restore', 'cleanup')`))
      .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id').onDelete('cascade'))
      .addColumn('configuration_id', 'text')
      .addColumn('backup_id', 'text')
      .addColumn('state', 'text', (c) => c.notNull().check(sql`state IN (${inList(JOB_STATES_AT_0001)})`))
      .addColumn('started_by', 'text', (c) => c.notNull())
      .addColumn('started_time', 'text')
      .addColumn('ended_time', 'text')
      .addColumn('snapshot_id', 'bigint')
      .addColumn('details', 'text', (c) => c.notNull())
      .addColumn('results', 'text', (c) => c.notNull())
      .addColumn('errors', 'text', (c) => c.notNull())
      .addColumn('scheduled_time', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('version_no', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
    await db.schema.createIndex('jobs_project_kind').on('jobs').columns(['project_id', 'kind', 'seq']).execute();
    await db.schema.createIndex('jobs_project_updated').on('jobs').columns(['project_id', 'updated_at', 'seq']).execute();
    await db.schema.createIndex('jobs_agent').on('jobs').columns(['agent_id', 'state']).execute();
    await db.schema.createIndex('jobs_configuration').on('jobs').columns(['configuration_id', 'seq']).execute();
    await db.schema.createIndex('jobs_backup').on('jobs').columns(['backup_id']).execute();

    await db.schema
      .createTable('events')
      .addColumn('id', serialType, (c) => (serialType === 'integer' ? c.primaryKey().autoIncrement() : c.primaryKey()))
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('agent_id', 'text')
      .addColumn('configuration_id', 'text')
      .addColumn('subject_id', 'text')
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('time', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .execute();
    // Event ids are decimal strings that clients compare as text: starting at 10^9 keeps them the same length.
    await startSequenceAt(db, 'events', 'id', 1_000_000_000);
    await db.schema.createIndex('events_project').on('events').columns(['project_id', 'id']).execute();
    await db.schema.createIndex('events_agent').on('events').columns(['agent_id', 'id']).execute();
    await db.schema.createIndex('events_configuration').on('events').columns(['configuration_id', 'id']).execute();
    await db.schema.createIndex('events_subject').on('events').columns(['subject_id', 'id']).execute();
    await db.schema.createIndex('events_time').on('events').column('time').execute();

    await db.schema
      .createTable('logfiles')
      .addColumn('seq', serialType, (c) => (serialType === 'integer' ? c.primaryKey().autoIncrement() : c.primaryKey()))
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id').onDelete('cascade'))
      .addColumn('state', 'text', (c) => c.notNull().check(sql`state IN ('requested', 'started', 'completed')`))
      .addColumn('date', 'text', (c) => c.notNull())
      .addColumn('blob_path', 'text')
      .addColumn('blob_size', 'bigint')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('version_no', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
    await db.schema.createIndex('logfiles_agent').on('logfiles').columns(['agent_id', 'seq']).execute();
  },
};
