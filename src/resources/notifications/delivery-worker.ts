import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { AppContext } from '../../server/context.js';
import { startPeriodicWork } from '../../server/periodic-work.js';
import { toWireTime } from '../../server/time.js';
import { MISSED_NOTIFICATIONS } from '../../store/store.js';
import type { DeliveriesTable } from '../../store/alert-tables.js';
import { deliveryLinks } from './delivery-links.js';
import { failed, type AttemptResult } from './delivery-result.js';
import { EMAIL_DISABLED_REASON, type EmailSender } from './email-sender.js';
import { renderEmail } from './email-render.js';
import { DELIVERY_CHANNEL } from './outbox.js';
import { sendWebhook } from './webhook-sender.js';

const BATCH = 20;
/** A claimed row becomes due again this long after the attempt's time limit, should its worker die mid-send. */
const LEASE_MARGIN_MS = 15_000;
const MAX_BACKOFF_MS = 3_600_000;

type DeliveryRow = Selectable<DeliveriesTable>;

export interface DeliveryWorkerOptions {
  email: EmailSender | null;
}

/** Wait before attempt `attempt + 1` after attempt `attempt` failed: base, 2×base, 4×base … at most an hour. */
export function retryDelayMs(baseMs: number, attempt: number): number {
  return Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.max(0, attempt - 1));
}

/**
 * Sends the outbox after commit. Every node runs one; a row is claimed by a compare-and-set that moves its
 * `next_attempt_at` past the attempt's time limit (a lease), so exactly one node works on it at a time on SQLite and
 * PostgreSQL alike, and a row whose worker died becomes due again. The outcome is written only while the lease is
 * still this worker's. At-least-once: a crash between the receiver's answer and that write sends the same delivery
 * (same id) again.
 */
export class DeliveryWorker {
  readonly nodeId = randomUUID();

  constructor(
    private readonly ctx: AppContext,
    private readonly options: DeliveryWorkerOptions,
  ) {}

  /** Passes at once, on every word of new deliveries and every `deliveryPollMs`; returns the stop function. */
  start(): () => Promise<void> {
    const stopWork = startPeriodicWork(this.ctx, {
      what: 'delivery pass',
      intervalMs: Math.max(50, this.ctx.config.deliveryPollMs),
      firstAfterMs: 0,
      wakeOn: [DELIVERY_CHANNEL, MISSED_NOTIFICATIONS],
      run: async (stopping) => {
        while ((await this.runOnce()) === BATCH && !stopping.aborted);
      },
    });
    return async () => {
      await stopWork();
      this.options.email?.close();
    };
  }

  /** Claims the due deliveries, sends them, records each outcome; returns how many were claimed. */
  async runOnce(now = new Date()): Promise<number> {
    const claimed = await this.claim(now);
    await Promise.all(claimed.map((row) => this.deliver(row)));
    return claimed.length;
  }

  private async claim(now: Date): Promise<DeliveryRow[]> {
    const db = this.ctx.store.db;
    const due = await db
      .selectFrom('deliveries')
      .select(['id', 'next_attempt_at', 'attempts'])
      .where('state', '=', 'pending')
      .where('next_attempt_at', '<=', toWireTime(now))
      .orderBy('next_attempt_at')
      .limit(BATCH)
      .execute();
    const leaseUntil = toWireTime(new Date(now.getTime() + this.ctx.config.deliveryTimeoutMs + LEASE_MARGIN_MS));
    const claimed: DeliveryRow[] = [];
    for (const row of due) {
      const taken = await db
        .updateTable('deliveries')
        .set({ next_attempt_at: leaseUntil, lease_owner: this.nodeId, attempts: row.attempts + 1, updated_at: toWireTime(now) })
        .where('id', '=', row.id)
        .where('state', '=', 'pending')
        .where('next_attempt_at', '=', row.next_attempt_at)
        .where('attempts', '=', row.attempts)
        .returningAll()
        .executeTakeFirst();
      if (taken) claimed.push(taken);
    }
    return claimed;
  }

  private async deliver(row: DeliveryRow): Promise<void> {
    const started = new Date();
    let result: AttemptResult;
    try {
      result = await this.attempt(row);
    } catch (error) {
      result = failed(`internal error: ${(error as Error).message}`.slice(0, 300));
    }
    await this.record(row, started, result);
  }

  private async attempt(row: DeliveryRow): Promise<AttemptResult> {
    const payload = JSON.parse(row.payload) as Record<string, unknown>;
    const links = deliveryLinks(this.ctx.publicBase(), row.project_id, row.event_type, row.subject_id);
    if (row.channel === 'email') {
      if (!this.options.email) return failed(EMAIL_DISABLED_REASON);
      const { subject, text } = renderEmail(row.event_type, payload, links);
      return this.options.email.send({ deliveryId: row.id, to: row.recipient, subject, text });
    }
    const webhook = await this.ctx.store.db
      .selectFrom('webhooks')
      .select(['url', 'secret', 'enabled'])
      .where('id', '=', row.webhook_id ?? '')
      .executeTakeFirst();
    if (!webhook) return failed('The webhook was deleted.');
    // The body is the same for every attempt of a delivery; `id` is the delivery id receivers de-duplicate by.
    const body = JSON.stringify({ id: row.id, type: row.event_type, created_at: row.created_at, project_id: row.project_id, data: payload, links });
    return sendWebhook({ url: webhook.url, secret: webhook.secret, deliveryId: row.id, body, timeoutMs: this.ctx.config.deliveryTimeoutMs });
  }

  private async record(row: DeliveryRow, started: Date, result: AttemptResult): Promise<void> {
    const now = new Date();
    let state: 'pending' | 'delivered' | 'failed' = result.outcome === 'delivered' ? 'delivered' : 'failed';
    let nextAttempt = row.next_attempt_at;
    if (result.outcome === 'retry') {
      const next = new Date(now.getTime() + retryDelayMs(this.ctx.config.deliveryRetryBaseMs, row.attempts));
      const giveUpAt = Date.parse(row.created_at) + this.ctx.config.deliveryMaxAgeSeconds * 1000;
      if (next.getTime() <= giveUpAt) {
        state = 'pending';
        nextAttempt = toWireTime(next);
      }
    }
    await this.ctx.store.transaction(async (tx) => {
      const updated = await tx.db
        .updateTable('deliveries')
        .set({
          state,
          next_attempt_at: nextAttempt,
          lease_owner: null,
          last_status_code: result.statusCode,
          last_error: result.error,
          updated_at: toWireTime(now),
          delivered_at: state === 'delivered' ? toWireTime(now) : null,
        })
        .where('id', '=', row.id)
        .where('lease_owner', '=', this.nodeId)
        .where('attempts', '=', row.attempts)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) return;
      await tx.db
        .insertInto('delivery_attempts')
        .values({
          delivery_id: row.id,
          attempt: row.attempts,
          started_at: toWireTime(started),
          duration_ms: now.getTime() - started.getTime(),
          outcome: result.outcome,
          status_code: result.statusCode,
          error: result.error,
        })
        .execute();
    });
    if (state === 'failed') this.ctx.log.warn({ delivery: row.id, channel: row.channel, error: result.error }, 'delivery failed for good');
  }
}
