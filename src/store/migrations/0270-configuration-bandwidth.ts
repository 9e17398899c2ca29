import type { Migration } from '../migrate.js';

/** A configuration's own vault bandwidth limits in bytes per second (null: none; the agent's limits still apply). */
export const configurationBandwidth: Migration = {
  id: '0270-configuration-bandwidth',
  async up(db) {
    await db.schema.alterTable('configurations').addColumn('upload_bytes_per_second', 'bigint').execute();
    await db.schema.alterTable('configurations').addColumn('download_bytes_per_second', 'bigint').execute();
  },
};
