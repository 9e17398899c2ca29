import type { AppContext } from '../../server/context.js';
import { startPeriodicWork } from '../../server/periodic-work.js';
import { toWireTime } from '../../server/time.js';
import { TASK_TERMINAL_STATES } from '../../domain/state-machines/task-machine.js';
import { recordTaskState } from './task-events.js';
import { TERMINAL_TASK_RETENTION_DAYS } from './task-defaults.js';
import { TASK_COLUMNS, taskFromRow } from './task.js';
import { TaskState } from '../../domain/job-states.js';

export const EXPIRED_PENDING_REASON = 'Task expired in PENDING state';
/** Cloud Controller's reason for a task whose end it cannot learn: here, a cancel the agent never confirmed. */
export const UNCONFIRMED_CANCEL_REASON = 'Unable to determine completion status';
const SWEEP_INTERVAL_MS = 15_000;
const BATCH = 500;
const DAY_MS = 24 * 3600 * 1000;

/**
 * The server's own task transitions: a task still PENDING `taskPendingExpirySeconds` after it was created (its agent
 * never picked it up) fails with Cloud Controller's "Task expired in PENDING state"; a task left CANCELING that long
 * (its agent never confirmed the cancel) fails as "Unable to determine completion status"; each with a task_failed
 * event. Tasks that ended more than 31 days ago are deleted with their labels.
 */
export async function sweepTasks(ctx: AppContext, now: Date = new Date()): Promise<{ expired: number; pruned: number }> {
  const cutoff = toWireTime(new Date(now.getTime() - ctx.config.taskPendingExpirySeconds * 1000));
  const expired =
    (await failStaleTasks(ctx, now, TaskState.PENDING, 'created_at', cutoff, EXPIRED_PENDING_REASON)) +
    (await failStaleTasks(ctx, now, TaskState.CANCELING, 'updated_at', cutoff, UNCONFIRMED_CANCEL_REASON));
  const pruneCutoff = toWireTime(new Date(now.getTime() - TERMINAL_TASK_RETENTION_DAYS * DAY_MS));
  const pruned = await ctx.store.db
    .deleteFrom('tasks')
    .where('state', 'in', [...TASK_TERMINAL_STATES])
    .where('updated_at', '<', pruneCutoff)
    .executeTakeFirst();
  return { expired, pruned: Number(pruned.numDeletedRows) };
}

async function failStaleTasks(
  ctx: AppContext,
  now: Date,
  state: typeof TaskState.PENDING | typeof TaskState.CANCELING,
  since: 'created_at' | 'updated_at',
  cutoff: string,
  reason: string,
): Promise<number> {
  let failed = 0;
  for (;;) {
    const batch = await ctx.store.transaction(async (tx) => {
      const rows = await tx.db.selectFrom('tasks').select(TASK_COLUMNS).where('state', '=', state).where(since, '<', cutoff).orderBy('seq').limit(BATCH).execute();
      const at = toWireTime(now);
      let changed = 0;
      for (const row of rows) {
        const task = taskFromRow(row);
        const result = await tx.db
          .updateTable('tasks')
          .set({ state: TaskState.FAILED, failure_reason: reason, updated_at: at, version_no: task.version + 1 })
          .where('id', '=', task.id)
          .where('version_no', '=', task.version)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) continue;
        changed++;
        await recordTaskState(ctx, tx, { ...task, state: TaskState.FAILED, failureReason: reason, updatedAt: at, version: task.version + 1 });
      }
      return { seen: rows.length, changed };
    });
    failed += batch.changed;
    if (batch.seen < BATCH) return failed;
  }
}

/** Runs sweepTasks every `intervalMs`; returns the stop function. */
export function startTaskSweeper(ctx: AppContext, intervalMs = SWEEP_INTERVAL_MS): () => Promise<void> {
  return startPeriodicWork(ctx, { what: 'task sweep', intervalMs, run: () => sweepTasks(ctx) });
}
