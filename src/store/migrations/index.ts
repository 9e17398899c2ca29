import type { Migration } from '../migrate.js';
import { initialSchema } from './0001-initial.js';
import { agentRequestsAndSettings } from './0003-agent-requests-settings.js';

/** Every migration, in the order it applies. Append new ones; never edit an applied one. */
export const MIGRATIONS: Migration[] = [initialSchema, agentRequestsAndSettings];
