import { DRILL_RUN_STATES, type DrillRunEndState } from './state-machines/drill-machine.js';
import { ALL_JOB_STATES, BACKUP_STATES, CLEANUP_STATES, JOB_KINDS, JOB_MACHINES, LOGFILE_STATES, RESTORE_STATES, type JobKind } from './state-machines/job-machines.js';
import { isTerminal } from './state-machines/state-machine.js';
import { isTerminalTaskState, TASK_STATES, type TaskEndState, type TaskReportableState } from './state-machines/task-machine.js';
import { VERIFICATION_RUN_STATES, VERIFICATION_TERMINAL } from './state-machines/verification-machine.js';

/**
 * The one vocabulary of job kinds and states, for the server, the agent and the CLI. Each state list is the
 * `as const` array its state machine is built from; each type is derived from that list, and each constant object
 * names every state of it (`BackupState.in_progress`), so a misspelt or foreign state fails to compile.
 */

type Named<S extends string> = { readonly [K in S]: K };

function named<S extends string>(states: readonly S[]): Named<S> {
  return Object.freeze(Object.fromEntries(states.map((state) => [state, state]))) as Named<S>;
}

export { isTerminalTaskState, JOB_KINDS, type JobKind };
/** Everything a CLI user can watch or stop: the v2 jobs and v3 tasks. */
export const WORK_KINDS = [...JOB_KINDS, 'task'] as const;
export type WorkKind = (typeof WORK_KINDS)[number];

export { ALL_JOB_STATES, BACKUP_STATES, CLEANUP_STATES, DRILL_RUN_STATES, LOGFILE_STATES, RESTORE_STATES, TASK_STATES, VERIFICATION_RUN_STATES, VERIFICATION_TERMINAL };

export type BackupState = (typeof BACKUP_STATES)[number];
export const BackupState = named(BACKUP_STATES);

export type RestoreState = (typeof RESTORE_STATES)[number];
export const RestoreState = named(RESTORE_STATES);

export type CleanupState = (typeof CLEANUP_STATES)[number];
export const CleanupState = named(CLEANUP_STATES);

/** A state of a job of any v2 kind: for code that handles every kind alike. */
export type JobState = (typeof ALL_JOB_STATES)[number];
export const JobState = named(ALL_JOB_STATES);

export type { DrillRunEndState, TaskEndState, TaskReportableState };

export type TaskState = (typeof TASK_STATES)[number];
export const TaskState = named(TASK_STATES);

export type DrillRunState = (typeof DRILL_RUN_STATES)[number];
export const DrillRunState = named(DRILL_RUN_STATES);

export type VerificationRunState = (typeof VERIFICATION_RUN_STATES)[number];
export const VerificationRunState = named(VERIFICATION_RUN_STATES);

export type LogfileState = (typeof LOGFILE_STATES)[number];
export const LogfileState = named(LOGFILE_STATES);

/** The states a new job may be created in (`POST /backups`, `/cleanups`); a restore starts only `start_requested`. */
export const JOB_START_STATES = [JobState.start_requested, JobState.start_scheduled] as const;
export type JobStartState = (typeof JOB_START_STATES)[number];

/** Whether a state read off the wire or out of the database is one of `states` (narrowing it to them). */
export function isOneOf<S extends string>(states: readonly S[], state: string): state is S {
  return (states as readonly string[]).includes(state);
}

/** Whether a job of `kind` in `state` has ended (a state its machine calls terminal). */
export function jobHasEnded(kind: JobKind, state: string): boolean {
  return isTerminal(JOB_MACHINES[kind], state);
}
