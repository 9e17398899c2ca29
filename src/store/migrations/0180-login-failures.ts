import type { Migration } from '../migrate.js';

/**
 * Failed logins per account and per client address, shared by every API node on one PostgreSQL database (the login
 * throttle of SQLite's single node keeps them in memory). One row per key: the failures counted since the window
 * began.
 */
export const loginFailures: Migration = {
  id: '0180-login-failures',
  async up(db) {
    await db.schema
      .createTable('login_failures')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('failures', 'integer', (c) => c.notNull())
      .addColumn('window_started_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('login_failures_window').on('login_failures').column('window_started_at').execute();
  },
};
