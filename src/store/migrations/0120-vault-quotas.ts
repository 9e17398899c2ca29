import type { Migration } from '../migrate.js';

/**
 * Vault quotas: the number of files each vault holds (beside `vault_bytes`), and optional limits of bytes and files
 * per agent and per project. A null limit is unlimited. Files written before this migration are not counted until
 * they are replaced or deleted.
 */
export const vaultQuotas: Migration = {
  id: '0120-vault-quotas',
  async up(db) {
    await db.schema
      .alterTable('agents')
      .addColumn('vault_files', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.alterTable('agents').addColumn('quota_bytes', 'bigint').execute();
    await db.schema.alterTable('agents').addColumn('quota_files', 'bigint').execute();
    await db.schema.alterTable('projects').addColumn('quota_bytes', 'bigint').execute();
    await db.schema.alterTable('projects').addColumn('quota_files', 'bigint').execute();
  },
};
