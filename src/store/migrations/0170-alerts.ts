import { sql } from 'kysely';
import type { Migration } from '../migrate.js';

/** Webhooks, the delivery outbox with its attempts, agents announced offline, alert settings, summary periods sent. */
export const alerts: Migration = {
  id: '0170-alerts',
  async up(db, { serialType }) {
    const serial = (c: any) => (serialType === 'integer' ? c.primaryKey().autoIncrement() : c.primaryKey());
    await db.schema
      .createTable('webhooks')
      .addColumn('seq', serialType, serial)
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('event_types', 'text', (c) => c.notNull())
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('webhooks_project').on('webhooks').columns(['project_id', 'seq']).execute();

    await db.schema
      .createTable('deliveries')
      .addColumn('seq', serialType, serial)
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel IN ('email', 'webhook')`))
      .addColumn('webhook_id', 'text', (c) => c.references('webhooks.id').onDelete('cascade'))
      .addColumn('recipient', 'text', (c) => c.notNull())
      .addColumn('event_type', 'text', (c) => c.notNull())
      .addColumn('subject_id', 'text')
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull().check(sql`state IN ('pending', 'delivered', 'failed')`))
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'text', (c) => c.notNull())
      .addColumn('lease_owner', 'text')
      .addColumn('last_status_code', 'integer')
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('delivered_at', 'text')
      .execute();
    await db.schema.createIndex('deliveries_due').on('deliveries').columns(['state', 'next_attempt_at']).execute();
    await db.schema.createIndex('deliveries_project').on('deliveries').columns(['project_id', 'seq']).execute();
    await db.schema.createIndex('deliveries_webhook').on('deliveries').columns(['webhook_id', 'seq']).execute();

    await db.schema
      .createTable('delivery_attempts')
      .addColumn('seq', serialType, serial)
      .addColumn('delivery_id', 'text', (c) => c.notNull().references('deliveries.id').onDelete('cascade'))
      .addColumn('attempt', 'integer', (c) => c.notNull())
      .addColumn('started_at', 'text', (c) => c.notNull())
      .addColumn('duration_ms', 'integer', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('status_code', 'integer')
      .addColumn('error', 'text')
      .execute();
    await db.schema.createIndex('delivery_attempts_delivery').on('delivery_attempts').columns(['delivery_id', 'attempt']).execute();

    await db.schema
      .createTable('agent_absences')
      .addColumn('agent_id', 'text', (c) => c.primaryKey().references('agents.id').onDelete('cascade'))
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('last_seen_at', 'text')
      .addColumn('announced_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('alert_settings')
      .addColumn('project_id', 'text', (c) => c.primaryKey())
      .addColumn('agent_offline_seconds', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('summary_runs')
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('period', 'text', (c) => c.notNull())
      .addColumn('period_key', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('summary_runs_pk', ['project_id', 'period', 'period_key'])
      .execute();
  },
};
