import type { StateMachine } from './state-machine.js';

/**
 * Cloud Foundry's task states with the agent in Diego's place: a task starts PENDING, the agent reports RUNNING and
 * then SUCCEEDED or FAILED; a user's cancel moves it to CANCELING, after which the agent can only end it; the server
 * fails tasks that stay PENDING too long. SUCCEEDED and FAILED are final.
 */
export const TASK_STATES = ['PENDING', 'RUNNING', 'CANCELING', 'SUCCEEDED', 'FAILED'] as const;
export type TaskState = (typeof TASK_STATES)[number];

export const TASK_TERMINAL_STATES = ['SUCCEEDED', 'FAILED'] as const satisfies readonly TaskState[];
export type TaskEndState = (typeof TASK_TERMINAL_STATES)[number];

/** The states an agent may report. */
export const TASK_REPORTABLE_STATES = ['RUNNING', ...TASK_TERMINAL_STATES] as const satisfies readonly TaskState[];
export type TaskReportableState = (typeof TASK_REPORTABLE_STATES)[number];

export const taskMachine: StateMachine<TaskState> = {
  name: 'task',
  states: TASK_STATES,
  rank: { PENDING: 0, RUNNING: 1 },
  terminal: TASK_TERMINAL_STATES,
  stopRequest: 'CANCELING',
  settableBy: {
    agent: TASK_REPORTABLE_STATES,
    user: ['CANCELING'],
    server: ['FAILED'],
  },
  terminalMessage: 'Task state is terminal (SUCCEEDED or FAILED) and cannot change',
};

export function isTerminalTaskState(state: string): state is TaskEndState {
  return (TASK_TERMINAL_STATES as readonly string[]).includes(state);
}

/** Cloud Controller's refusal to cancel a finished task. */
export function cancelRefusal(state: string): string | undefined {
  return isTerminalTaskState(state) ? `Task state is ${state} and therefore cannot be canceled` : undefined;
}
