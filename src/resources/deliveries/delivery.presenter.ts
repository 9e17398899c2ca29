import type { Urls } from '../../server/links.js';
import type { AttemptRow, DeliveryRow } from './delivery.js';

export function presentDelivery(row: DeliveryRow, urls: Urls, attempts?: AttemptRow[]) {
  return {
    id: row.id,
    channel: row.channel,
    webhook_id: row.webhook_id,
    recipient: row.recipient,
    event_type: row.event_type,
    subject_id: row.subject_id,
    state: row.state,
    attempts: row.attempts,
    last_status_code: row.last_status_code,
    last_error: row.last_error,
    created_time: row.created_at,
    delivered_time: row.delivered_at,
    next_attempt_time: row.state === 'pending' ? row.next_attempt_at : null,
    ...(attempts
      ? {
          attempt_log: attempts.map((a) => ({
            attempt: a.attempt,
            started_time: a.started_at,
            duration_ms: a.duration_ms,
            outcome: a.outcome,
            status_code: a.status_code,
            error: a.error,
          })),
        }
      : {}),
    links: [urls.link('self', 'deliveries', row.id)],
  };
}
