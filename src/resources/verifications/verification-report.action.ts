import { evaluateTests } from '../../domain/json-patch/index.js';
import { conflict } from '../../errors/app-error.js';
import type { AppContext } from '../../server/context.js';
import { isoNow } from '../../server/time.js';
import { VERIFICATION_NEXT } from '../../domain/state-machines/verification-machine.js';
import { VERIFICATION_TERMINAL, verificationRunFromRow, type VerificationRun } from './verification.js';
import { recordVerificationEnded } from './verification-ended.outbox.js';
import type { VerificationReport } from './verification-report.message.js';

/**
 * Applies the agent's report to a run in one transaction (the row is re-read under compare-and-set on
 * `updated_at`). Re-sending the current state is a no-op; an ended run takes no more changes (409). `present` renders
 * the run for `test` operations.
 */
export async function reportVerification(ctx: AppContext, runId: string, report: VerificationReport, present: (run: VerificationRun) => unknown): Promise<VerificationRun> {
  return ctx.store.transaction(async (tx) => {
    const current = verificationRunFromRow(await tx.db.selectFrom('verification_runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow());
    evaluateTests(present(current), report.tests);
    const moving = report.state !== undefined && report.state !== current.state;
    if (VERIFICATION_TERMINAL.includes(current.state) && (moving || Object.keys(report.results).length > 0)) {
      throw conflict(`The verification run has already ${current.state}; it takes no more changes.`);
    }
    if (moving && !VERIFICATION_NEXT[current.state].includes(report.state!)) throw conflict(`A verification run cannot go from ${current.state} to ${report.state}.`);
    const now = isoNow();
    const state = report.state ?? current.state;
    const ends = moving && VERIFICATION_TERMINAL.includes(state);
    const updated = await tx.db
      .updateTable('verification_runs')
      .set({ state, results: JSON.stringify({ ...current.results, ...report.results }), updated_at: now, ended_at: ends ? now : current.endedAt })
      .where('id', '=', runId)
      .where('updated_at', '=', current.updatedAt)
      .where('state', '=', current.state)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) throw conflict('The verification run changed meanwhile; send the report again.');
    const after = verificationRunFromRow(await tx.db.selectFrom('verification_runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow());
    if (ends) await recordVerificationEnded(ctx, tx, after);
    return after;
  });
}
