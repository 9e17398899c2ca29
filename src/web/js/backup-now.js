import { may } from './api.js';
import { jobHref, startBackup } from './data.js';
import { flash, h } from './dom.js';

/** "Back up now" for one configuration: starts the backup and opens its job page; a refusal is flashed. */
export function backupNowButton(configuration, attributes = {}) {
  return h(
    'button',
    {
      type: 'button',
      ...attributes,
      onclick: async () => {
        try {
          const job = await startBackup(configuration.id);
          location.hash = jobHref('backup', job.id);
        } catch (error) {
          flash(error.message, 'error');
        }
      },
    },
    'Back up now',
  );
}

/** The table column with that button, for those who may start backups. */
export const backupNowColumn = {
  label: 'Back up',
  cell: (c) => (may('creator') ? backupNowButton(c, { 'aria-label': `Back up ${c.name} now` }) : '–'),
};
