import { evaluateTests, JsonPatchError } from '../../domain/json-patch/index.js';
import { assertTransition, TransitionError } from '../../domain/state-machines/state-machine.js';
import { isTerminalTaskState, taskMachine } from '../../domain/state-machines/task-machine.js';
import type { AppContext } from '../../server/context.js';
import { isoNow } from '../../server/time.js';
import { recordTaskState } from './task-events.js';
import type { TaskReportMessage } from './task-report.message.js';
import { changeTask } from './task-change.js';
import type { Task } from './task.js';
import { jsonPatchError, unprocessable } from '../../errors/v3-catalogue.js';
import { TaskState } from '../../domain/job-states.js';

/**
 * Applies the agent's report, judged by the task state machine:
 * PENDING → RUNNING → SUCCEEDED | FAILED, CANCELING → SUCCEEDED | FAILED, nothing after SUCCEEDED or FAILED.
 * `failure_reason` goes only with FAILED. Re-sending what the task already says changes nothing (and is fine).
 * `present` renders the task for `test` operations.
 */
export async function applyTaskReport(ctx: AppContext, taskId: string, message: TaskReportMessage, present: (task: Task) => unknown): Promise<Task> {
  return changeTask<Task>(ctx, taskId, (task) => {
    runTests(present(task), message);
    const state = message.state ?? task.state;
    if (message.state !== undefined) judge(task.state, state);
    let failureReason = task.failureReason;
    if (message.failureReason !== undefined) {
      if (state !== TaskState.FAILED) throw unprocessable('/result/failure_reason can only be reported with the state FAILED');
      failureReason = message.failureReason;
    }
    if (state === task.state && failureReason === task.failureReason) return { write: false, result: task };
    if (isTerminalTaskState(task.state)) throw unprocessable(taskMachine.terminalMessage);
    const now = isoNow();
    return {
      write: true,
      set: { state, failure_reason: failureReason, updated_at: now },
      after: state === task.state ? undefined : (tx, version) => recordTaskState(ctx, tx, { ...task, state, failureReason, updatedAt: now, version }),
      result: (version) => ({ ...task, state, failureReason, updatedAt: now, version }),
    };
  });
}

function runTests(document: unknown, message: TaskReportMessage): void {
  try {
    evaluateTests(document, message.tests);
  } catch (error) {
    if (error instanceof JsonPatchError) throw jsonPatchError(error);
    throw error;
  }
}

function judge(from: string, to: string): void {
  try {
    assertTransition(taskMachine, from, to, 'agent');
  } catch (error) {
    if (error instanceof TransitionError) throw unprocessable(error.message);
    throw error;
  }
}
