import type { Actor } from '../../domain/state-machines/state-machine.js';
import { conflict } from '../../errors/app-error.js';
import type { Job } from '../jobs/job.js';
import { BackupState, isOneOf } from '../../domain/job-states.js';

/** States in which a backup does work; only an admitted backup may reach them. */
const WORKING_STATES = [BackupState.preparing, BackupState.in_progress];

export const WAITING_IN_QUEUE = 'The backup waits in the queue for a run slot; its agent is told to start it once one is free.';

/** A backup still waiting for a run slot may end (stopped, failed …) but not start working (409). */
export function assertAdmittedToRun(before: Job, after: Job, _actor: Actor): void {
  if (before.admission === 'waiting' && isOneOf(WORKING_STATES, after.state)) throw conflict(WAITING_IN_QUEUE);
}
