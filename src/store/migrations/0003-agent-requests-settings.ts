import { sql } from 'kysely';
import type { Migration } from '../migrate.js';

/**
 * Requests an agent answers outside the job machinery (browse, vault encryption, vault password verification),
 * per-project summary e-mail settings, server secrets (the log-file download signing key), the agents' activation
 * deadline, and a flag for result documents that live in the event table but are not part of event lists.
 */
export const agentRequestsAndSettings: Migration = {
  id: '0003-agent-requests-settings',
  async up(db) {
    await db.schema
      .createTable('agent_requests')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id').onDelete('cascade'))
      .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('host_browse', 'backup_browse', 'vault_encryption', 'vault_password_verification')`))
      .addColumn('subject_id', 'text')
      .addColumn('details', 'text', (c) => c.notNull())
      .addColumn('reported_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('agent_requests_agent').on('agent_requests').columns(['agent_id', 'created_at']).execute();

    await db.schema
      .createTable('summary_settings')
      .addColumn('project_id', 'text', (c) => c.primaryKey())
      .addColumn('daily', 'integer', (c) => c.notNull())
      .addColumn('weekly', 'integer', (c) => c.notNull())
      .addColumn('notifications', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('server_secrets')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema.alterTable('agents').addColumn('activation_until', 'text').execute();
    await db.schema
      .alterTable('events')
      .addColumn('hidden', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  },
};
