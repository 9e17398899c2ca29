import type { Migration } from '../migrate.js';

/** The cleanup that removed a backup's snapshot from its vault: such a backup can no longer be restored. */
export const backupPruned: Migration = {
  id: '0005-backup-pruned',
  async up(db) {
    await db.schema.alterTable('jobs').addColumn('pruned_by', 'text').execute();
  },
};
