import type { AppContext } from '../../server/context.js';
import { agentFromRow } from '../agents/agent.js';
import { verificationFromRow } from './verification.js';
import { insertVerificationRun } from './verification-run-start.action.js';
import { nextVerificationTime } from './verification-schedule.js';
import { startPeriodicWork } from '../../server/periodic-work.js';
import { VerificationRunState } from '../../domain/job-states.js';

const BATCH = 100;

/**
 * Starts a run for every enabled verification schedule whose time has come, claiming the time first (compare-and-set
 * on `next_run_time`) so that of several API nodes exactly one starts it. A run still open for that agent makes this
 * time pass without a new one. Returns the number of runs started.
 */
export async function startDueVerifications(ctx: AppContext, now = new Date()): Promise<number> {
  const rows = await ctx.store.db.selectFrom('vault_verifications').selectAll().where('enabled', '=', 1).where('next_run_time', '<=', now.toISOString()).limit(BATCH).execute();
  let started = 0;
  for (const row of rows) {
    const settings = verificationFromRow(row);
    const began = await ctx.store.transaction(async (tx) => {
      const next = nextVerificationTime(settings, settings.createdAt, now);
      const claimed = await tx.db
        .updateTable('vault_verifications')
        .set({ next_run_time: next })
        .where('agent_id', '=', settings.agentId)
        .where('next_run_time', '=', settings.nextRunTime)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) return false;
      const agentRow = await tx.db.selectFrom('agents').selectAll().where('id', '=', settings.agentId).executeTakeFirst();
      if (!agentRow) return false;
      const open = await tx.db
        .selectFrom('verification_runs')
        .select('id')
        .where('agent_id', '=', settings.agentId)
        .where('state', 'in', [VerificationRunState.start_requested, VerificationRunState.in_progress])
        .executeTakeFirst();
      if (open) return false;
      await insertVerificationRun(ctx, tx, agentFromRow(agentRow), 'schedule');
      return true;
    });
    if (began) started++;
  }
  return started;
}

export function startVerificationScheduler(ctx: AppContext, intervalMs: number): () => Promise<void> {
  return startPeriodicWork(ctx, { what: 'verification scheduling', intervalMs, run: () => startDueVerifications(ctx) });
}
