import type { Migration } from '../migrate.js';

/** A disabled user cannot log in, and its tokens stop working; enabling it again restores logins. */
export const userDisabled: Migration = {
  id: '0122-user-disabled',
  async up(db) {
    await db.schema
      .alterTable('users')
      .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('tokens_user').on('tokens').column('user_id').execute();
  },
};
