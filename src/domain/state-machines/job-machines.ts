import { quotedList, type StateMachine } from './state-machine.js';

/** The kinds of v2 job, each with its own machine below; their wire name is also the collection's (`/backups`, …). */
export const JOB_KINDS = ['backup', 'restore', 'cleanup'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

const BACKUP_TERMINAL = ['completed', 'completed_with_errors', 'failed', 'stopped', 'skipped', 'missed'] as const;
const RESTORE_TERMINAL = ['completed', 'completed_with_errors', 'failed', 'stopped'] as const;

export const BACKUP_STATES = ['start_requested', 'start_scheduled', 'queued', 'preparing', 'in_progress', 'stop_requested', ...BACKUP_TERMINAL] as const;
export const RESTORE_STATES = ['start_requested', 'queued', 'preparing', 'in_progress', 'stop_requested', ...RESTORE_TERMINAL] as const;
export const CLEANUP_STATES = ['start_requested', 'start_scheduled', 'queued', 'in_progress', 'stop_requested', ...RESTORE_TERMINAL] as const;
export const LOGFILE_STATES = ['requested', 'started', 'completed'] as const;

export const backupMachine: StateMachine<(typeof BACKUP_STATES)[number]> = {
  name: 'backup',
  states: BACKUP_STATES,
  rank: { start_requested: 0, start_scheduled: 0, queued: 1, preparing: 2, in_progress: 3 },
  terminal: BACKUP_TERMINAL,
  stopRequest: 'stop_requested',
  settableBy: {
    agent: ['queued', 'preparing', 'in_progress', 'completed', 'completed_with_errors', 'failed', 'stopped', 'skipped'],
    user: ['stop_requested'],
    // missed: a scheduled time nobody started; failed: a job whose agent was lost (reason agent_lost); queued: a new
    // backup waits in the server's queue for a run slot (resources/queue/backup-admission.ts).
    server: ['missed', 'failed', 'queued'],
  },
  terminalMessage: `Modifying a backup that is already in a state of ${quotedList(BACKUP_TERMINAL)} is not allowed.`,
};

export const restoreMachine: StateMachine<(typeof RESTORE_STATES)[number]> = {
  name: 'restore',
  states: RESTORE_STATES,
  rank: { start_requested: 0, queued: 1, preparing: 2, in_progress: 3 },
  terminal: RESTORE_TERMINAL,
  stopRequest: 'stop_requested',
  settableBy: {
    agent: ['queued', 'preparing', 'in_progress', 'completed', 'completed_with_errors', 'failed', 'stopped'],
    user: ['stop_requested'],
    server: ['failed'],
  },
  terminalMessage: `Modifying a restore that is already in a state of ${quotedList(RESTORE_TERMINAL)} is not allowed.`,
};

export const cleanupMachine: StateMachine<(typeof CLEANUP_STATES)[number]> = {
  name: 'cleanup',
  states: CLEANUP_STATES,
  rank: { start_requested: 0, start_scheduled: 0, queued: 1, in_progress: 2 },
  terminal: RESTORE_TERMINAL,
  stopRequest: 'stop_requested',
  settableBy: {
    agent: ['queued', 'in_progress', 'completed', 'completed_with_errors', 'failed', 'stopped'],
    user: ['stop_requested'],
    server: ['failed'],
  },
  terminalMessage: `Modifying a cleanup that is already in a state of ${quotedList(RESTORE_TERMINAL)} is not allowed.`,
};

export const logfileMachine: StateMachine<(typeof LOGFILE_STATES)[number]> = {
  name: 'log file',
  states: LOGFILE_STATES,
  rank: { requested: 0, started: 1 },
  terminal: ['completed'],
  stopRequest: null,
  settableBy: { agent: ['started', 'completed'], user: [], server: [] },
  terminalMessage: "Modifying a log file that is already in a state of ['completed'] is not allowed.",
};

export const JOB_MACHINES: Record<JobKind, StateMachine> = {
  backup: backupMachine,
  restore: restoreMachine,
  cleanup: cleanupMachine,
};

/** Every state any job may be in: feeds the database CHECK constraint. */
export const ALL_JOB_STATES = [...new Set([...BACKUP_STATES, ...RESTORE_STATES, ...CLEANUP_STATES])];
