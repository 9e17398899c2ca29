import type { AppContext } from '../../server/context.js';
import { checkAgentPresence } from './agent-presence.check.js';
import { decideSummaries } from './summary-emails.js';

/**
 * Every `alertCheckMs` (and once at start), looks for agents gone or back and for summary e-mails due. Every node
 * runs it; what each finds is written once (see checkAgentPresence and decideSummaries). Returns the stop function,
 * which waits for a pass in progress.
 */
export function startAlertChecks(ctx: AppContext): () => Promise<void> {
  let running: Promise<void> | null = null;
  const pass = () => {
    if (running) return;
    running = (async () => {
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
    })().finally(() => {
      running = null;
    });
  };
  const timer = setInterval(pass, ctx.config.alertCheckMs);
  timer.unref();
  const first = setTimeout(pass, 0);
  first.unref();
  return async () => {
    clearInterval(timer);
    clearTimeout(first);
    await running;
  };
}
