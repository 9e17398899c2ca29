import { isBlockedHost } from '../notifications/address-guard.js';
import { EVENT_TYPES } from '../notifications/event-types.js';
import { BodyCheck } from '../common/body-check.js';

export const MIN_SECRET_BYTES = 16;
const MAX_SECRET_BYTES = 256;
const MAX_URL_LENGTH = 2048;

export interface WebhookFields {
  url: string;
  eventTypes: string[];
  /** Absent on create: the server makes one. */
  secret: string | undefined;
  enabled: boolean;
}

/** POST: url and event_types are required; secret is generated when omitted; enabled defaults to true. */
export function parseWebhookCreate(body: unknown): WebhookFields {
  const check = BodyCheck.object(body);
  const fields = readFields(check, true);
  check.done();
  return { url: fields.url!, eventTypes: fields.eventTypes!, secret: fields.secret, enabled: fields.enabled ?? true };
}

/** PATCH: a JSON object with any of url, event_types, secret, enabled; what is absent stays as it is. */
export function parseWebhookUpdate(body: unknown): Partial<WebhookFields> {
  const check = BodyCheck.object(body);
  const fields = readFields(check, false);
  if (Object.values(fields).every((v) => v === undefined) && check.problems.length === 0) check.problem('Give at least one of url, event_types, secret, enabled.');
  check.done();
  return fields;
}

function readFields(check: BodyCheck, required: boolean): Partial<WebhookFields> {
  const known = new Set(['url', 'event_types', 'secret', 'enabled']);
  for (const key of Object.keys(check.body as object)) if (!known.has(key)) check.problem(`${key} is not a webhook field.`);
  const url = check.string('url', { required, maxLength: MAX_URL_LENGTH });
  if (typeof url === 'string') checkUrl(check, url);
  const secret = check.string('secret', { maxLength: MAX_SECRET_BYTES });
  if (typeof secret === 'string' && Buffer.byteLength(secret) < MIN_SECRET_BYTES) check.problem(`secret must be at least ${MIN_SECRET_BYTES} bytes.`);
  const list = check.array('event_types', { required });
  let eventTypes: string[] | undefined;
  if (list) {
    if (list.length === 0) check.problem('event_types must name at least one event type.');
    list.forEach((item, index) => {
      if (typeof item !== 'string' || !EVENT_TYPES.includes(item)) check.problem(`event_types[${index}] must be one of ${EVENT_TYPES.join(', ')}.`);
    });
    eventTypes = [...new Set(list as string[])];
  }
  const enabled = check.boolean('enabled');
  return { url: url ?? undefined, eventTypes, secret: secret ?? undefined, enabled };
}

/** http(s) only, with a host, no credentials, and never a link-local or cloud-metadata address. */
function checkUrl(check: BodyCheck, text: string): void {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    check.problem('url must be an absolute http or https URL.');
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') check.problem('url must use http or https.');
  else if (url.hostname === '') check.problem('url must name a host.');
  else if (url.username !== '' || url.password !== '') check.problem('url must not carry a user name or password (sign with the secret instead).');
  else if (isBlockedHost(url.hostname)) check.problem('url must not point at a link-local or cloud-metadata address (169.254.0.0/16, fe80::/10).');
}
