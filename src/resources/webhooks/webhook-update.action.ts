import type { AppContext } from '../../server/context.js';
import { isoNow } from '../../server/time.js';
import { webhookFromRow, type Webhook } from './webhook.js';
import type { WebhookFields } from './webhook.message.js';

export async function updateWebhook(ctx: AppContext, webhook: Webhook, fields: Partial<WebhookFields>): Promise<Webhook> {
  const row = await ctx.store.db
    .updateTable('webhooks')
    .set({
      ...(fields.url !== undefined ? { url: fields.url } : {}),
      ...(fields.eventTypes !== undefined ? { event_types: JSON.stringify(fields.eventTypes) } : {}),
      ...(fields.secret !== undefined ? { secret: fields.secret } : {}),
      ...(fields.enabled !== undefined ? { enabled: fields.enabled ? 1 : 0 } : {}),
      updated_at: isoNow(),
    })
    .where('id', '=', webhook.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return webhookFromRow(row);
}

/** Deleting a webhook deletes its deliveries (pending ones are not sent). */
export async function deleteWebhook(ctx: AppContext, webhook: Webhook): Promise<void> {
  await ctx.store.db.deleteFrom('webhooks').where('id', '=', webhook.id).execute();
}
