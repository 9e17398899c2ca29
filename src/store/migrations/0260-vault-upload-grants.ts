import type { Migration } from '../migrate.js';

/**
 * One row per vault file an agent was allowed to upload straight to object storage: its usage is counted once, when
 * the first grant is made, however often the agent asks again for the same file (after an expired URL or a retry).
 */
export const vaultUploadGrants: Migration = {
  id: '0260-vault-upload-grants',
  async up(db) {
    await db.schema
      .createTable('vault_upload_grants')
      .addColumn('vault_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('vault_upload_grants_pk', ['vault_id', 'name'])
      .execute();
  },
};
