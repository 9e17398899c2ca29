import type { Migration } from '../migrate.js';

/**
 * A backup's `restorable` asks whether its vault is still attached to an agent of the project: with this index that
 * is one lookup per vault shown, where the project index alone walked every agent of the project (thousands in a
 * fleet) for each backup created or shown (src/resources/backups/backup-restorable.ts).
 */
export const agentsVaultIndex: Migration = {
  id: '0330-agents-vault-index',
  async up(db) {
    await db.schema.createIndex('agents_vault').on('agents').columns(['vault_id']).execute();
  },
};
