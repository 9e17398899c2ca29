import type { Tx } from '../../store/store.js';

/** Mirrors a task's labels into task_labels (one row per key) so label selectors run in SQL. */
export async function replaceTaskLabels(tx: Tx, taskId: string, labels: Readonly<Record<string, string>>, previous: Readonly<Record<string, string>> = {}): Promise<void> {
  const removed = Object.keys(previous).filter((key) => !Object.hasOwn(labels, key) || labels[key] !== previous[key]);
  if (removed.length > 0) await tx.db.deleteFrom('task_labels').where('task_id', '=', taskId).where('key', 'in', removed).execute();
  const added = Object.entries(labels).filter(([key, value]) => !Object.hasOwn(previous, key) || value !== previous[key]);
  if (added.length > 0)
    await tx.db
      .insertInto('task_labels')
      .values(added.map(([key, value]) => ({ task_id: taskId, key, value })))
      .execute();
}
