import type { AppContext } from '../../server/context.js';
import { isoNow } from '../../server/time.js';
import { missedGraceMs } from '../backups/missed-backup-scheduler.js';
import { enqueueEvent } from './outbox.js';
import { lastWholeDay, lastWholeWeek, type SummaryPeriod } from './summary-periods.js';
import { buildSummary } from './summary-report.js';

/**
 * Decides the summary e-mails due at `now`: for each project whose summary settings ask for daily or weekly ones
 * (and list an address), the last whole UTC day or ISO week that has no summary yet. The `summary_runs` row of the
 * period and the outbox rows are written in one transaction, and the row's primary key lets exactly one node (and
 * one pass) write them; the delivery worker sends them. A period missed while every node was down is not made up
 * for, except the last one. Returns how many summaries were decided.
 */
export async function decideSummaries(ctx: AppContext, now = new Date()): Promise<number> {
  const db = ctx.store.db;
  const projects = await db
    .selectFrom('summary_settings')
    .selectAll()
    .where((eb) => eb.or([eb('daily', '=', 1), eb('weekly', '=', 1)]))
    .execute();
  let decided = 0;
  for (const settings of projects) {
    const emails = (JSON.parse(settings.notifications) as { type: string; destination: string }[]).filter((n) => n.type === 'email').map((n) => n.destination);
    if (emails.length === 0) continue;
    const periods: SummaryPeriod[] = [];
    if (settings.daily === 1) periods.push(lastWholeDay(now));
    if (settings.weekly === 1) periods.push(lastWholeWeek(now));
    for (const period of periods) {
      const done = await db
        .selectFrom('summary_runs')
        .select('period_key')
        .where('project_id', '=', settings.project_id)
        .where('period', '=', period.name)
        .where('period_key', '=', period.key)
        .executeTakeFirst();
      if (done) continue;
      const summary = await buildSummary({
        db,
        projectId: settings.project_id,
        period,
        now,
        idleHeartbeatMs: ctx.config.idleHeartbeatSeconds * 1000,
        graceMs: missedGraceMs(),
      });
      const written = await ctx.store.transaction(async (tx) => {
        const claimed = await tx.db
          .insertInto('summary_runs')
          .values({ project_id: settings.project_id, period: period.name, period_key: period.key, created_at: isoNow() })
          .onConflict((oc) => oc.columns(['project_id', 'period', 'period_key']).doNothing())
          .returning('period_key')
          .executeTakeFirst();
        if (!claimed) return false;
        await enqueueEvent(tx, { projectId: settings.project_id, eventType: summary.type, subjectId: null, payload: { ...summary } }, emails);
        return true;
      });
      if (written) decided++;
    }
  }
  return decided;
}
