import { sql } from 'kysely';
import type { Migration } from '../migrate.js';

/**
 * Marker-paged streams (events, job lists) order rows by the writing transaction (`commit_tx`, then the id), and
 * readers stop at the commit horizon (src/store/commit-order.ts), so event writers no longer queue on one advisory
 * lock. PostgreSQL: `commit_tx` is the inserting transaction's id (pg_current_xact_id, an xid8, kept as bigint).
 * SQLite: one writer commits in id order, so every row's `commit_tx` is 0 and the order is the id order.
 */
export const commitHorizon: Migration = {
  id: '0230-commit-horizon',
  async up(db, { engine }) {
    if (engine === 'postgres') {
      await sql`DROP TRIGGER IF EXISTS events_commit_in_id_order ON events`.execute(db);
      await sql`DROP FUNCTION IF EXISTS coffer_commit_in_id_order()`.execute(db);
      // Rows already there were committed in id order (under the lock): 0 keeps that order, without a rewrite.
      for (const table of ['events', 'jobs']) {
        await sql.raw(`ALTER TABLE ${table} ADD COLUMN commit_tx bigint NOT NULL DEFAULT 0`).execute(db);
        await sql.raw(`ALTER TABLE ${table} ALTER COLUMN commit_tx SET DEFAULT (pg_current_xact_id()::text::bigint)`).execute(db);
      }
    } else {
      for (const table of ['events', 'jobs']) {
        await sql.raw(`ALTER TABLE ${table} ADD COLUMN commit_tx integer NOT NULL DEFAULT 0`).execute(db);
      }
    }
    for (const [name, column] of [
      ['events_project', 'project_id'],
      ['events_agent', 'agent_id'],
      ['events_configuration', 'configuration_id'],
      ['events_subject', 'subject_id'],
    ] as const) {
      await db.schema.dropIndex(name).execute();
      await db.schema.createIndex(name).on('events').columns([column, 'commit_tx', 'id']).execute();
    }
    await db.schema.dropIndex('jobs_project_kind').execute();
    await db.schema.createIndex('jobs_project_kind').on('jobs').columns(['project_id', 'kind', 'commit_tx', 'seq']).execute();
  },
};
