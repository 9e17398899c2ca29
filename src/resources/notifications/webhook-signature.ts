import { createHmac, timingSafeEqual } from 'node:crypto';

/** Headers of every webhook delivery. */
export const WEBHOOK_ID_HEADER = 'coffer-delivery-id';
export const WEBHOOK_TIMESTAMP_HEADER = 'coffer-timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'coffer-signature';

/**
 * The signature of a delivery: `sha256=` and the hex HMAC-SHA256, under the webhook's secret, of
 * `<timestamp>.<raw body>` (the timestamp is the `coffer-timestamp` header, Unix seconds). Signing the timestamp
 * lets a receiver refuse old replays; the delivery id in the body lets it drop duplicates.
 */
export function signWebhook(secret: string, timestamp: number, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
}

/** What a receiver does (used by the tests and documented in docs/notifications.md). */
export function verifyWebhook(secret: string, timestamp: string, rawBody: string, signature: string): boolean {
  if (!/^\d+$/.test(timestamp)) return false;
  const expected = Buffer.from(signWebhook(secret, Number(timestamp), rawBody));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
