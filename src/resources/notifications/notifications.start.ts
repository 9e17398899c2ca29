import type { AppContext } from '../../server/context.js';
import { startAlertChecks } from './alert-checks.js';
import { DeliveryWorker } from './delivery-worker.js';
import { EMAIL_DISABLED_REASON, smtpSender } from './email-sender.js';

/**
 * Starts the delivery worker (and the presence and summary checks); returns the function that stops them. Without
 * COFFER_SMTP_URL it says once that no e-mail will be sent.
 */
export function startNotifications(ctx: AppContext): () => Promise<void> {
  const { config } = ctx;
  if (!config.smtpUrl) ctx.log.warn(EMAIL_DISABLED_REASON);
  const email = config.smtpUrl ? smtpSender(config.smtpUrl, config.mailFrom, config.deliveryTimeoutMs) : null;
  const worker = new DeliveryWorker(ctx, { email });
  const stopWorker = worker.start();
  const stopChecks = startAlertChecks(ctx);
  return async () => {
    await stopChecks();
    await stopWorker();
  };
}
