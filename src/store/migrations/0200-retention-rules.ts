import type { Migration } from '../migrate.js';

/** A configuration's keep rules beside `retention_days` (JSON `{keep_last, …, keep_within}`); null when it has none. */
export const retentionRules: Migration = {
  id: '0200-retention-rules',
  async up(db) {
    await db.schema.alterTable('configurations').addColumn('retention_rules', 'text').execute();
  },
};
