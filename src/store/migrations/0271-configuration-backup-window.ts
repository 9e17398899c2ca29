import type { Migration } from '../migrate.js';

/** A configuration's backup window: JSON `{start, end, outside}` (times of day in its schedule's zone), or null. */
export const configurationBackupWindow: Migration = {
  id: '0271-configuration-backup-window',
  async up(db) {
    await db.schema.alterTable('configurations').addColumn('backup_window', 'text').execute();
  },
};
