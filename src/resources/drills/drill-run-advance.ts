import { isTerminal } from '../../domain/state-machines/state-machine.js';
import { restoreMachine } from '../../domain/state-machines/job-machines.js';
import { isTerminalTaskState } from '../../domain/state-machines/task-machine.js';
import type { AppContext } from '../../server/context.js';
import type { Tx } from '../../store/store.js';
import type { Job } from '../jobs/job.js';
import { FIRST_ERRORS } from '../notifications/job-ended.outbox.js';
import { insertTask } from '../tasks/task-create.action.js';
import type { Task } from '../tasks/task.js';
import { drillFromRow } from './drill.js';
import type { DrillRestoreResult } from './drill-run.js';
import { changeDrillRun } from './drill-run-finish.js';
import { DrillRunState, RestoreState, TaskState } from '../../domain/job-states.js';

/**
 * A drill run's restore ended (hook of every restore change, in its transaction). Completed without errors: the
 * check starts as a v3 task on the drill's agent, with the backup as its `droplet_guid`, in the scratch folder the
 * restore filled. Anything else ends the run `failed`, saying why the restore did not do.
 */
export async function advanceDrillAfterRestore(ctx: AppContext, tx: Tx, restore: Job): Promise<void> {
  if (!isTerminal(restoreMachine, restore.state) || typeof restore.details.drill_run_id !== 'string') return;
  const runId = restore.details.drill_run_id;
  const result: DrillRestoreResult = {
    state: restore.state,
    files_restored: typeof restore.results.files_restored === 'number' ? restore.results.files_restored : null,
    bytes_restored: typeof restore.results.bytes_restored === 'number' ? restore.results.bytes_restored : null,
    errors: { count: restore.errors.count, reason: restore.errors.reason, first: restore.errors.list.slice(0, FIRST_ERRORS) },
  };
  const drillRow = await tx.db.selectFrom('drills').innerJoin('drill_runs', 'drill_runs.drill_id', 'drills.id').selectAll('drills').where('drill_runs.id', '=', runId).executeTakeFirst();
  const run = await changeDrillRun(ctx, tx, runId, (run) => {
    if (run.state !== DrillRunState.restoring || run.restoreId !== restore.id) return undefined;
    const results = { ...run.results, restore: result };
    if (restore.state !== RestoreState.completed || restore.errors.count > 0 || !drillRow) {
      return { to: DrillRunState.failed, failureReason: restoreFailure(restore), results };
    }
    return { to: DrillRunState.checking, results };
  });
  if (!run || run.state !== DrillRunState.checking || run.taskId !== null || !drillRow) return;
  const drill = drillFromRow(drillRow);
  const task = await insertTask(
    ctx,
    tx,
    { id: run.agentId, projectId: run.projectId },
    { name: `drill-${drill.name}`.slice(0, 255), command: drill.command, user: drill.user, memoryInMb: undefined, diskInMb: undefined, logRateLimit: undefined, dropletGuid: run.backupId },
    undefined,
    // The agent finds the scratch folder by the restore it did itself, never by a path it is sent.
    { drill_run: { id: run.id, restore_id: restore.id, deadline: run.deadlineAt } },
  );
  await changeDrillRun(ctx, tx, run.id, () => ({ to: DrillRunState.checking, taskId: task.id }));
}

/** A drill run's check task changed (hook of every task state change, in its transaction). */
export async function advanceDrillAfterTask(ctx: AppContext, tx: Tx, task: Task): Promise<void> {
  if (!isTerminalTaskState(task.state)) return;
  const row = await tx.db.selectFrom('drill_runs').select('id').where('task_id', '=', task.id).executeTakeFirst();
  if (!row) return;
  await changeDrillRun(ctx, tx, row.id, (run) => {
    if (run.state !== DrillRunState.checking) return undefined;
    const results = { ...run.results, check: { state: task.state, failure_reason: task.failureReason } };
    if (task.state === TaskState.SUCCEEDED) return { to: DrillRunState.passed, results };
    return { to: DrillRunState.failed, failureReason: `The check failed: ${task.failureReason ?? 'the task failed'}.`, results };
  });
}

function restoreFailure(restore: Job): string {
  const first = restore.errors.list[0] as { path?: string; exception?: { description?: string } } | undefined;
  const detail = first ? ` First error: ${first.path ? `${first.path}: ` : ''}${first.exception?.description ?? JSON.stringify(first)}` : '';
  const reason = restore.errors.reason ? ` (${restore.errors.reason})` : '';
  const count = restore.errors.count > 0 ? `, ${restore.errors.count} error${restore.errors.count === 1 ? '' : 's'}${reason}.` : `${reason}.`;
  return `The restore of backup ${restore.backupId} into the scratch folder ended ${restore.state}${count}${detail}`;
}
