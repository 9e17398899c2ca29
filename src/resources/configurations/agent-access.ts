/** Configurations are written by people (the control panel, scripts), never by an agent's own token. */
export const CONFIGURATIONS_BY_USERS = 'Configurations are changed by users, not agents.';
