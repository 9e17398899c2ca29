import type { Migration } from '../migrate.js';

/**
 * Made events commit in id order on PostgreSQL with an advisory-lock trigger. Superseded by 0230-commit-horizon,
 * which drops that trigger where it was created; a new database never needs it.
 */
export const eventsCommitInIdOrder: Migration = {
  id: '0050-events-commit-in-id-order',
  async up() {},
};
