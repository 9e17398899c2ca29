import type { Actor } from '../../domain/state-machines/state-machine.js';
import { forbidden } from '../../errors/app-error.js';
import type { Caller } from '../../server/caller.js';

/**
 * Log files are reported and uploaded by their agent, with its own token. Another agent is refused outright; a user
 * (`X-Agent-Id` or not) is a `user` actor, whom the state machine refuses.
 */
export function logfileActor(caller: Caller, agentId: string): Actor {
  if (caller.kind === 'agent') {
    if (caller.agentId !== agentId) throw forbidden('An agent may only report on its own log files.');
    return 'agent';
  }
  return 'user';
}

/** Log files are for administrators of the project (docs/reference/rackspace-cloud-backup-v2.md §2 rows 17–21); agents only report on them. */
export const LOGFILES_BY_ADMINISTRATORS = "Log files are requested and read by the project's administrators.";

/** Only the log file's own agent uploads its content. */
export function assertUploader(caller: Caller, agentId: string): void {
  if (logfileActor(caller, agentId) !== 'agent') throw forbidden('Only the agent uploads its log file.');
}
