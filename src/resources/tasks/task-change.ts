import { compareAndSet, type Decision } from '../../store/compare-and-set.js';
import type { AppContext } from '../../server/context.js';
import { TASK_COLUMNS, taskFromRow, type Task } from './task.js';

/**
 * Changes one task. Tasks follow the row-lock rule (compareAndSet): many clients may change one task's metadata at
 * the same moment, so writers queue on the row instead of retrying, and the version always matches.
 */
export function changeTask<Result>(ctx: AppContext, taskId: string, decide: (task: Task) => Decision<Result>): Promise<Result> {
  return compareAndSet<Task, Result>(ctx.store, {
    table: 'tasks',
    id: taskId,
    noun: 'task',
    rule: 'row-lock',
    read: async (tx) => taskFromRow(await tx.db.selectFrom('tasks').select(TASK_COLUMNS).where('tasks.id', '=', taskId).executeTakeFirstOrThrow()),
    decide,
  });
}
