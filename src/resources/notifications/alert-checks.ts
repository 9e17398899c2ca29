import type { AppContext } from '../../server/context.js';
import { checkAgentPresence } from './agent-presence.check.js';
import { decideSummaries } from './summary-emails.js';
import { startPeriodicWork } from '../../server/periodic-work.js';

/**
 * Every `alertCheckMs` (and once at start), looks for agents gone or back and for summary e-mails due. Every node
 * runs it; what each finds is written once (see checkAgentPresence and decideSummaries). Returns the stop function,
 * which waits for a pass in progress.
 */
export function startAlertChecks(ctx: AppContext): () => Promise<void> {
  return startPeriodicWork(ctx, {
    what: 'alert checks',
    intervalMs: ctx.config.alertCheckMs,
    firstAfterMs: 0,
    async run() {
      // Each check on its own: a failing one does not keep the other from running.
      try {
        const presence = await checkAgentPresence(ctx);
        if (presence.offline + presence.online > 0) ctx.log.info(presence, 'agents announced offline / back online');
      } catch (error) {
        ctx.log.warn({ err: error }, 'agent presence check failed');
      }
      try {
        const summaries = await decideSummaries(ctx);
        if (summaries > 0) ctx.log.info({ summaries }, 'summary e-mails decided');
      } catch (error) {
        ctx.log.warn({ err: error }, 'summary check failed');
      }
    },
  });
}
