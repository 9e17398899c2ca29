import { cancelRefusal } from '../../domain/state-machines/task-machine.js';
import { conflict } from '../../errors/app-error.js';
import type { AppContext } from '../../server/context.js';
import { isoNow } from '../../server/time.js';
import { recordTaskCancel } from './task-events.js';
import { lockTask } from './task-lock.js';
import type { Task } from './task.js';
import { unprocessable } from './v3-errors.js';

const MAX_ATTEMPTS = 8;

/**
 * PENDING or RUNNING → CANCELING, with a `task_cancel_request` event for the agent, which then confirms FAILED.
 * Cancelling a CANCELING task again succeeds and changes nothing; a finished task is 422 in Cloud Controller's words.
 */
export async function cancelTask(ctx: AppContext, taskId: string): Promise<Task> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const outcome = await ctx.store.transaction(async (tx) => {
      const task = await lockTask(tx, taskId);
      const refusal = cancelRefusal(task.state);
      if (refusal) throw unprocessable(refusal);
      if (task.state === 'CANCELING') return task;
      const now = isoNow();
      const updated = await tx.db
        .updateTable('tasks')
        .set({ state: 'CANCELING', updated_at: now, version_no: task.version + 1 })
        .where('id', '=', task.id)
        .where('version_no', '=', task.version)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) return undefined;
      const after: Task = { ...task, state: 'CANCELING', updatedAt: now, version: task.version + 1 };
      await recordTaskCancel(ctx, tx, after);
      return after;
    });
    if (outcome) return outcome;
  }
  throw conflict('The task is being changed by several writers at once; try again.');
}
