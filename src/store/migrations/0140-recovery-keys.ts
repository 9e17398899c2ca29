import { sql } from 'kysely';
import type { Migration } from '../migrate.js';

/**
 * Key custody that does not depend on the agent's host: a recovery key pair per project (the server keeps the
 * private half), each vault's master key sealed under its project's public key, and each agent's choice of custody
 * (`server`: the server keeps that sealed copy; `private`: only the user's vault password opens the vault elsewhere).
 * Agents whose vault already has a user password are private.
 */
export const recoveryKeys: Migration = {
  id: '0140-recovery-keys',
  async up(db) {
    await db.schema
      .createTable('project_recovery_keys')
      .addColumn('project_id', 'text', (c) => c.primaryKey().references('projects.id').onDelete('cascade'))
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('public_key_pem', 'text', (c) => c.notNull())
      .addColumn('private_key_pem', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('vault_recovery_keys')
      .addColumn('vault_id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('recovery_key_id', 'text', (c) => c.notNull())
      .addColumn('sealed_master_key', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .alterTable('agents')
      .addColumn('key_custody', 'text', (c) =>
        c
          .notNull()
          .defaultTo('server')
          .check(sql`key_custody IN ('server', 'private')`),
      )
      .execute();
    await db.updateTable('agents').set({ key_custody: 'private' }).where('vault_encrypted', '=', 1).execute();
  },
};
