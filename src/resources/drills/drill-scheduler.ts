import { drillRunMachine } from '../../domain/state-machines/drill-machine.js';
import { AppError } from '../../errors/app-error.js';
import type { AppContext } from '../../server/context.js';
import { toWireTime } from '../../server/time.js';
import { JsonPatchError } from '../../domain/json-patch/json-patch-error.js';
import { TransitionError } from '../../domain/state-machines/state-machine.js';
import { jobFromRow } from '../jobs/job.js';
import { JOB_KIND_RULES } from '../jobs/job-kind-rules.js';
import { applyJobPatch } from '../jobs/job-patch.action.js';
import { parseJobPatch } from '../jobs/job-patch.message.js';
import { cancelTask } from '../tasks/task-cancel.action.js';
import { drillFromRow } from './drill.js';
import { drillRunFromRow, type DrillRun } from './drill-run.js';
import { changeDrillRun } from './drill-run-finish.js';
import { insertDrillRun } from './drill-run-start.action.js';
import { nextRunTime } from './drill-schedule.js';
import { startPeriodicWork } from '../../server/periodic-work.js';
import { DrillRunState, RestoreState } from '../../domain/job-states.js';

export const DRILL_SWEEP_INTERVAL_MS = 15_000;
const BATCH = 100;

/**
 * Starts the run of every enabled drill whose `next_run_time` has come, claiming the time first (compare-and-set on
 * the column) so that of several API nodes exactly one starts it. A drill whose previous run is still going skips
 * this time (its next time is claimed all the same). Returns the number of runs started.
 */
export async function startDueDrills(ctx: AppContext, now = new Date()): Promise<number> {
  const rows = await ctx.store.db.selectFrom('drills').selectAll().where('enabled', '=', 1).where('next_run_time', '<=', now.toISOString()).orderBy('seq').limit(BATCH).execute();
  let started = 0;
  for (const row of rows) {
    const drill = drillFromRow(row);
    const began = await ctx.store.transaction(async (tx) => {
      const claimed = await tx.db
        .updateTable('drills')
        .set({ next_run_time: nextRunTime(drill, now) })
        .where('id', '=', drill.id)
        .where('next_run_time', '=', drill.nextRunTime)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) return false;
      const open = await tx.db
        .selectFrom('drill_runs')
        .select('id')
        .where('drill_id', '=', drill.id)
        .where('state', 'not in', [...drillRunMachine.terminal])
        .executeTakeFirst();
      if (open) {
        ctx.log.warn({ drill: drill.id, run: open.id }, 'drill run skipped: the previous run is still going');
        return false;
      }
      await insertDrillRun(ctx, tx, drill, { startedBy: 'schedule', scheduledTime: drill.nextRunTime, now });
      return true;
    });
    if (began) started++;
  }
  return started;
}

/**
 * Fails every run still going past its deadline ("timed out"), then asks its agent to stop what is left: the check
 * task is cancelled (the agent kills it and removes the scratch folder), a restore still running is asked to stop.
 */
export async function failOverdueDrillRuns(ctx: AppContext, now = new Date()): Promise<number> {
  const rows = await ctx.store.db
    .selectFrom('drill_runs')
    .innerJoin('drills', 'drills.id', 'drill_runs.drill_id')
    .selectAll('drill_runs')
    .select('drills.timeout_seconds')
    .where('drill_runs.state', 'not in', [...drillRunMachine.terminal])
    .where('drill_runs.deadline_at', '<', toWireTime(now))
    .orderBy('drill_runs.seq')
    .limit(BATCH)
    .execute();
  let failed = 0;
  for (const row of rows) {
    const run = drillRunFromRow(row);
    const ended = await ctx.store.transaction((tx) =>
      changeDrillRun(ctx, tx, run.id, (current) => ({
        to: DrillRunState.failed,
        failureReason: `The drill did not finish within its timeout of ${row.timeout_seconds} s (it was still ${current.state}).`,
      })),
    );
    if (!ended || ended.state !== DrillRunState.failed || ended.version === run.version) continue;
    failed++;
    await stopLeftovers(ctx, ended);
  }
  return failed;
}

async function stopLeftovers(ctx: AppContext, run: DrillRun): Promise<void> {
  try {
    if (run.taskId !== null) {
      await cancelTask(ctx, run.taskId);
    } else if (run.restoreId !== null) {
      const row = await ctx.store.db.selectFrom('jobs').selectAll().where('id', '=', run.restoreId).executeTakeFirst();
      if (!row) return;
      const restore = jobFromRow(row);
      const rules = JOB_KIND_RULES.restore;
      const message = parseJobPatch([{ op: 'replace', path: '/state', value: RestoreState.stop_requested }], rules.patch);
      await applyJobPatch(ctx, restore, 'user', message, { ...rules, present: (current) => ({ version: current.version }) });
    }
  } catch (error) {
    // Already over (the agent ended it meanwhile): nothing left to stop.
    if (error instanceof AppError || error instanceof TransitionError || error instanceof JsonPatchError) return;
    throw error;
  }
}

/** Runs both checks every `intervalMs`; returns the stop function. */
export function startDrillScheduler(ctx: AppContext, intervalMs = DRILL_SWEEP_INTERVAL_MS): () => Promise<void> {
  return startPeriodicWork(ctx, {
    what: 'drill scheduling',
    intervalMs,
    async run() {
      await failOverdueDrillRuns(ctx);
      await startDueDrills(ctx);
    },
  });
}
