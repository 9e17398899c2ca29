import { quotedList, type StateMachine } from './state-machine.js';

/**
 * A drill run: the server restores the backup into the drill's scratch folder (`restoring`), then runs the check
 * there as a v3 task (`checking`); the task's exit decides `passed` or `failed`. Any failure on the way (no backup to
 * drill, a refused or broken restore, the timeout) ends it `failed` with a reason. Only the server moves a run: it
 * follows the restore job and the task, which their agent reports.
 */
export const DRILL_RUN_TERMINAL = ['passed', 'failed'] as const;
export const DRILL_RUN_STATES = ['restoring', 'checking', ...DRILL_RUN_TERMINAL] as const;
export type DrillRunState = (typeof DRILL_RUN_STATES)[number];
export type DrillRunEndState = (typeof DRILL_RUN_TERMINAL)[number];

export const drillRunMachine: StateMachine<DrillRunState> = {
  name: 'drill run',
  states: DRILL_RUN_STATES,
  rank: { restoring: 0, checking: 1 },
  terminal: DRILL_RUN_TERMINAL,
  stopRequest: null,
  settableBy: { agent: [], user: [], server: ['checking', 'passed', 'failed'] },
  terminalMessage: `Modifying a drill run that is already in a state of ${quotedList(DRILL_RUN_TERMINAL)} is not allowed.`,
};
