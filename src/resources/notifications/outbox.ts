import { randomUUID } from 'node:crypto';
import { isoNow } from '../../server/time.js';
import type { Tx } from '../../store/store.js';

/** Store notification channel that wakes the delivery workers of every node. */
export const DELIVERY_CHANNEL = 'deliveries';

export interface OutboxEvent {
  projectId: string;
  eventType: string;
  /** The job, task or agent the event is about. */
  subjectId: string | null;
  /** The event document: the `data` of a webhook body and the facts of an e-mail. */
  payload: Record<string, unknown>;
}

/**
 * Writes the deliveries of one event inside the caller's transaction: one e-mail per distinct address in `emails`,
 * and one POST per enabled webhook of the project that subscribed to the event type. They are sent after commit by
 * the delivery worker; nothing is sent for a transaction that rolls back. Returns how many were written.
 */
export async function enqueueEvent(tx: Tx, event: OutboxEvent, emails: readonly string[] = []): Promise<number> {
  const webhooks = await tx.db.selectFrom('webhooks').select(['id', 'url', 'event_types']).where('project_id', '=', event.projectId).where('enabled', '=', 1).execute();
  const targets: { channel: 'email' | 'webhook'; webhookId: string | null; recipient: string }[] = [
    ...[...new Set(emails.map((e) => e.trim()))].map((address) => ({ channel: 'email' as const, webhookId: null, recipient: address })),
    ...webhooks.filter((w) => (JSON.parse(w.event_types) as string[]).includes(event.eventType)).map((w) => ({ channel: 'webhook' as const, webhookId: w.id, recipient: w.url })),
  ];
  await insertDeliveries(tx, event, targets);
  return targets.length;
}

/** One delivery to one webhook regardless of its subscriptions (the test-delivery call). */
export async function enqueueToWebhook(tx: Tx, event: OutboxEvent, webhook: { id: string; url: string }): Promise<string> {
  const [id] = await insertDeliveries(tx, event, [{ channel: 'webhook', webhookId: webhook.id, recipient: webhook.url }]);
  return id!;
}

async function insertDeliveries(tx: Tx, event: OutboxEvent, targets: { channel: 'email' | 'webhook'; webhookId: string | null; recipient: string }[]): Promise<string[]> {
  if (targets.length === 0) return [];
  const now = isoNow();
  const payload = JSON.stringify(event.payload);
  const rows = targets.map((target) => ({
    id: randomUUID(),
    project_id: event.projectId,
    channel: target.channel,
    webhook_id: target.webhookId,
    recipient: target.recipient,
    event_type: event.eventType,
    subject_id: event.subjectId,
    payload,
    state: 'pending',
    attempts: 0,
    next_attempt_at: now,
    lease_owner: null,
    last_status_code: null,
    last_error: null,
    created_at: now,
    updated_at: now,
    delivered_at: null,
  }));
  await tx.db.insertInto('deliveries').values(rows).execute();
  await tx.notify(DELIVERY_CHANNEL, event.eventType);
  return rows.map((r) => r.id);
}
