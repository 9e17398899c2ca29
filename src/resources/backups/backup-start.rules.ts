import { conflict } from '../../errors/app-error.js';
import type { Agent } from '../agents/agent.js';
import type { Configuration } from '../configurations/configuration.js';

export const DELETED_CONFIGURATION = 'The configuration has been deleted; it takes no new backups.';
export const DISABLED_CONFIGURATION = 'The configuration is disabled; enable it before starting a backup.';
export const DISABLED_AGENT = 'The agent is disabled; enable it before starting a backup.';

/**
 * Whether a backup may start now (409 otherwise). A disabled configuration takes no backups of either kind, as a
 * disabled agent does no work: enabling is the one switch for "this runs".
 */
export function assertBackupMayStart(configuration: Configuration, agent: Agent): void {
  if (configuration.deleted) throw conflict(DELETED_CONFIGURATION);
  if (!configuration.enabled) throw conflict(DISABLED_CONFIGURATION);
  if (!agent.enabled) throw conflict(DISABLED_AGENT);
}
