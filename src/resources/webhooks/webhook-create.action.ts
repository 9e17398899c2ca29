import { randomBytes, randomUUID } from 'node:crypto';
import { conflict } from '../../errors/app-error.js';
import type { AppContext } from '../../server/context.js';
import { isoNow } from '../../server/time.js';
import { webhookFromRow, type Webhook } from './webhook.js';
import type { WebhookFields } from './webhook.message.js';

export const MAX_WEBHOOKS_PER_PROJECT = 25;

export async function createWebhook(ctx: AppContext, projectId: string, fields: WebhookFields): Promise<Webhook> {
  return ctx.store.transaction(async (tx) => {
    const count = await tx.db
      .selectFrom('webhooks')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('project_id', '=', projectId)
      .executeTakeFirstOrThrow();
    if (Number(count.n) >= MAX_WEBHOOKS_PER_PROJECT) throw conflict(`A project may have at most ${MAX_WEBHOOKS_PER_PROJECT} webhooks.`);
    const now = isoNow();
    const row = await tx.db
      .insertInto('webhooks')
      .values({
        id: randomUUID(),
        project_id: projectId,
        url: fields.url,
        event_types: JSON.stringify(fields.eventTypes),
        secret: fields.secret ?? randomBytes(32).toString('hex'),
        enabled: fields.enabled ? 1 : 0,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return webhookFromRow(row);
  });
}
