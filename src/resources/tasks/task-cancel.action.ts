import { cancelRefusal } from '../../domain/state-machines/task-machine.js';
import type { AppContext } from '../../server/context.js';
import { isoNow } from '../../server/time.js';
import { recordTaskCancel } from './task-events.js';
import { changeTask } from './task-change.js';
import type { Task } from './task.js';
import { unprocessable } from '../../errors/v3-catalogue.js';
import { TaskState } from '../../domain/job-states.js';

/**
 * PENDING or RUNNING → CANCELING, with a `task_cancel_request` event for the agent, which then confirms FAILED.
 * Cancelling a CANCELING task again succeeds and changes nothing; a finished task is 422 in Cloud Controller's words.
 */
export async function cancelTask(ctx: AppContext, taskId: string): Promise<Task> {
  return changeTask<Task>(ctx, taskId, (task) => {
    const refusal = cancelRefusal(task.state);
    if (refusal) throw unprocessable(refusal);
    if (task.state === TaskState.CANCELING) return { write: false, result: task };
    const now = isoNow();
    return {
      write: true,
      set: { state: TaskState.CANCELING, updated_at: now },
      after: (tx, version) => recordTaskCancel(ctx, tx, { ...task, state: TaskState.CANCELING, updatedAt: now, version }),
      result: (version) => ({ ...task, state: TaskState.CANCELING, updatedAt: now, version }),
    };
  });
}
