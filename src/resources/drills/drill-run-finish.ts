import { drillRunMachine, type DrillRunState } from '../../domain/state-machines/drill-machine.js';
import { assertTransition, isTerminal } from '../../domain/state-machines/state-machine.js';
import type { AppContext } from '../../server/context.js';
import { isoNow } from '../../server/time.js';
import { lockRow, writeIfVersion } from '../../store/compare-and-set.js';
import type { Tx } from '../../store/store.js';
import { recordDrillRunEnded } from '../notifications/drill-ended.outbox.js';
import { drillRunFromRow, type DrillRun, type DrillRunResults } from './drill-run.js';
import { type DrillRunEndState } from '../../domain/job-states.js';

export interface DrillRunChange {
  to: DrillRunState;
  failureReason?: string;
  results?: DrillRunResults;
  taskId?: string;
}

/**
 * The one writer of a run's state, inside the caller's transaction: locks the run, lets `decide` judge it as it is
 * now (undefined: nothing to do), checks the move against the drill run machine and writes it. A run that ends
 * records `drill_passed` / `drill_failed` on its agent's event stream and queues its e-mails and webhooks.
 * Returns the run as it is afterwards, or undefined when it no longer exists.
 */
export async function changeDrillRun(ctx: AppContext, tx: Tx, runId: string, decide: (run: DrillRun) => DrillRunChange | undefined): Promise<DrillRun | undefined> {
  await lockRow(tx, 'drill_runs', runId);
  const row = await tx.db.selectFrom('drill_runs').selectAll().where('id', '=', runId).executeTakeFirst();
  if (!row) return undefined;
  const run = drillRunFromRow(row);
  if (isTerminal(drillRunMachine, run.state)) return run;
  const change = decide(run);
  if (!change) return run;
  if (assertTransition(drillRunMachine, run.state, change.to, 'server') === 'unchanged' && change.results === undefined && change.taskId === undefined) return run;
  const now = isoNow();
  const ended = isTerminal(drillRunMachine, change.to);
  const after: DrillRun = {
    ...run,
    state: change.to,
    failureReason: change.failureReason ?? run.failureReason,
    results: change.results ?? run.results,
    taskId: change.taskId ?? run.taskId,
    updatedAt: now,
    endedAt: ended ? now : run.endedAt,
    version: run.version + 1,
  };
  const written = await writeIfVersion(tx, 'drill_runs', run, {
    state: after.state,
    failure_reason: after.failureReason,
    results: JSON.stringify(after.results),
    task_id: after.taskId,
    updated_at: now,
    ended_at: after.endedAt,
  });
  if (!written) throw new Error(`drill run ${run.id} changed under its row lock`);
  if (ended) await recordDrillRunEnded(ctx, tx, after);
  return after;
}

/** Ends a run that is not over yet. */
export async function finishDrillRun(ctx: AppContext, tx: Tx, run: DrillRun, state: DrillRunEndState, failureReason?: string): Promise<DrillRun> {
  return (await changeDrillRun(ctx, tx, run.id, () => ({ to: state, failureReason }))) ?? run;
}
