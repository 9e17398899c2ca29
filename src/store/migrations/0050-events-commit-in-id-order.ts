import type { Migration } from '../migrate.js';

/** Event ids are paging markers: events must become visible in id order, also with writers on several nodes. */
export const eventsCommitInIdOrder: Migration = {
  id: '0050-events-commit-in-id-order',
  async up(db, { commitInIdOrder }) {
    await commitInIdOrder(db, 'events');
  },
};
