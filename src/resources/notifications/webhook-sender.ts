import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isBlockedAddress, isBlockedHost } from './address-guard.js';
import { delivered, failed, retry, type AttemptResult } from './delivery-result.js';
import { signWebhook, WEBHOOK_ID_HEADER, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER } from './webhook-signature.js';

export interface WebhookRequest {
  url: string;
  secret: string;
  deliveryId: string;
  body: string;
  timeoutMs: number;
}

const MAX_ERROR_TEXT = 300;

/**
 * Resolves like the default lookup, but refuses when any resolved address is blocked: the check is made on the
 * addresses the connection will use, so a name that resolves to a metadata address (or is re-pointed at one after
 * the webhook was saved) is never contacted.
 */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '', 0);
    const list = addresses as dns.LookupAddress[];
    const bad = list.find((a) => isBlockedAddress(a.address));
    if (bad) return callback(Object.assign(new Error(`${hostname} resolves to ${bad.address}, a link-local or metadata address`), { code: 'EBLOCKED' }), '', 0);
    if ((options as dns.LookupOptions).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
    callback(null, list[0]!.address, list[0]!.family);
  });
};

/** POSTs one signed delivery; 2xx is delivered, 5xx / 408 / 429 / network errors retry, any other status fails. */
export function sendWebhook(request: WebhookRequest): Promise<AttemptResult> {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return Promise.resolve(failed('The webhook URL is not valid.'));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return Promise.resolve(failed('The webhook URL is not http(s).'));
  if (isBlockedHost(url.hostname)) return Promise.resolve(failed(`${url.hostname} is a link-local or metadata address.`));
  const timestamp = Math.floor(Date.now() / 1000);
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const req = transport.request(
      url,
      {
        method: 'POST',
        lookup: guardedLookup,
        timeout: request.timeoutMs,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(request.body),
          'user-agent': 'Coffer-Webhook/1',
          [WEBHOOK_ID_HEADER]: request.deliveryId,
          [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp),
          [WEBHOOK_SIGNATURE_HEADER]: signWebhook(request.secret, timestamp, request.body),
        },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        // The answer's body is not needed; drain it so the socket is freed.
        res.resume();
        res.on('error', () => undefined);
        if (status >= 200 && status < 300) resolve(delivered(status));
        else if (status >= 500 || status === 408 || status === 429) resolve(retry(`The receiver answered ${status}.`, status));
        else resolve(failed(`The receiver answered ${status}.`, status));
      },
    );
    const deadline = setTimeout(() => req.destroy(Object.assign(new Error(`no answer within ${request.timeoutMs} ms`), { code: 'ETIMEDOUT' })), request.timeoutMs);
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${request.timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('close', () => clearTimeout(deadline));
    req.on('error', (error: NodeJS.ErrnoException) => {
      const text = `${error.code ?? 'error'}: ${error.message}`.slice(0, MAX_ERROR_TEXT);
      resolve(error.code === 'EBLOCKED' ? failed(text) : retry(text));
    });
    req.end(request.body);
  });
}
