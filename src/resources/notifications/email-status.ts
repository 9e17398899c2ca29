import type { AppContext } from '../../server/context.js';
import { EMAIL_DISABLED_REASON } from './email-sender.js';

/** Whether e-mail is sent, and the e-mail deliveries waiting or given up (health and the console show this). */
export async function emailStatus(ctx: AppContext): Promise<Record<string, unknown>> {
  // The database's own health is reported under storage; here its absence only hides the counts.
  const counts = await ctx.store.db
    .selectFrom('deliveries')
    .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
    .where('channel', '=', 'email')
    .where('state', 'in', ['pending', 'failed'])
    .groupBy('state')
    .execute()
    .catch(() => null);
  const count = (state: string) => (counts === null ? null : Number(counts.find((c) => c.state === state)?.n ?? 0));
  const status = { configured: ctx.config.smtpUrl !== undefined, pending: count('pending'), failed: count('failed') };
  return ctx.config.smtpUrl ? status : { ...status, message: EMAIL_DISABLED_REASON };
}
