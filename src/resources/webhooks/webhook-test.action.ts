import type { AppContext } from '../../server/context.js';
import { isoNow } from '../../server/time.js';
import { TEST_EVENT_TYPE } from '../notifications/event-types.js';
import { enqueueToWebhook } from '../notifications/outbox.js';
import type { Webhook } from './webhook.js';

/** Queues a `webhook.test` delivery to this webhook only; it is sent, signed and retried like any other. */
export async function sendTestDelivery(ctx: AppContext, webhook: Webhook, requestedBy: string): Promise<string> {
  return ctx.store.transaction((tx) =>
    enqueueToWebhook(
      tx,
      {
        projectId: webhook.projectId,
        eventType: TEST_EVENT_TYPE,
        subjectId: null,
        payload: { type: TEST_EVENT_TYPE, project_id: webhook.projectId, webhook: { id: webhook.id }, requested_by: requestedBy, requested_time: isoNow() },
      },
      webhook,
    ),
  );
}
