import type { Migration } from '../migrate.js';

/** S3 Object Lock per project: every vault file its agents upload is retained in this mode for this many days. */
export const projectObjectLock: Migration = {
  id: '0261-project-object-lock',
  async up(db) {
    await db.schema.alterTable('projects').addColumn('object_lock_mode', 'text').execute();
    await db.schema.alterTable('projects').addColumn('object_lock_days', 'integer').execute();
  },
};
