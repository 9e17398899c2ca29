import type { Tx } from '../../store/store.js';
import { TASK_COLUMNS, taskFromRow, type Task } from './task.js';

/**
 * Reads the task for a change, holding its row: a no-op UPDATE takes the row lock on PostgreSQL (SQLite runs one
 * writer at a time anyway), so concurrent changes of one task queue up instead of overwriting each other. The
 * version compare-and-set in each writer stays as a second guard.
 */
export async function lockTask(tx: Tx, taskId: string): Promise<Task> {
  await tx.db.updateTable('tasks').set((eb) => ({ version_no: eb.ref('version_no') })).where('id', '=', taskId).execute();
  return taskFromRow(await tx.db.selectFrom('tasks').select(TASK_COLUMNS).where('tasks.id', '=', taskId).executeTakeFirstOrThrow());
}
