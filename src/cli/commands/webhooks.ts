import { InvalidArgumentError, type Command } from 'commander';
import { ApiClient } from '../client/api-client.js';
import { examples, globalOptions } from '../client/command-kit.js';
import { formatFields, formatShortTime, formatTable, formatTime, paintState, printJson, printLine } from '../client/output.js';
import { pick } from '../client/resolve.js';

export interface Webhook {
  id: string;
  url: string;
  event_types: string[];
  secret?: string;
  enabled: boolean;
  created_time: string;
  updated_time: string;
}

export interface Delivery {
  id: string;
  channel: string;
  webhook_id: string | null;
  recipient: string;
  event_type: string;
  subject_id: string | null;
  state: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  created_time: string;
  delivered_time: string | null;
  next_attempt_time: string | null;
  attempt_log?: { attempt: number; started_time: string; duration_ms: number; outcome: string; status_code: number | null; error: string | null }[];
}

/** A positive whole number of rows. */
export function parseLimit(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 100) throw new InvalidArgumentError('give a number from 1 to 100.');
  return Number(value);
}

/** How the last attempt of a delivery went: the HTTP status, the error, or when it is tried next. */
export function deliveryOutcome(d: Delivery): string {
  const parts = [d.last_status_code !== null ? String(d.last_status_code) : '', d.last_error ?? ''].filter(Boolean);
  if (d.state === 'pending' && d.next_attempt_time) parts.push(`next ${formatShortTime(d.next_attempt_time)}`);
  return parts.join(' ') || '-';
}

/** Deliveries, newest first, as a table. */
export function deliveryTable(deliveries: readonly Delivery[], withRecipient: boolean): string {
  if (deliveries.length === 0) return 'No deliveries yet.';
  return formatTable(deliveries, [
    { header: 'CREATED', value: (d) => formatShortTime(d.created_time), keep: true },
    { header: 'ID', value: (d) => d.id.slice(0, 8), keep: true },
    ...(withRecipient ? [{ header: 'TO', value: (d: Delivery) => d.recipient }] : []),
    { header: 'EVENT', value: (d) => d.event_type },
    { header: 'STATE', value: (d) => paintState(d.state), keep: true },
    { header: 'TRIES', value: (d) => String(d.attempts), align: 'right' as const, keep: true },
    { header: 'LAST', value: deliveryOutcome },
  ]);
}

async function resolveWebhook(client: ApiClient, ref: string): Promise<Webhook> {
  const { body } = await client.get<{ webhooks: Webhook[] }>(client.v2('webhooks'));
  return pick(body.webhooks, ref, 'webhook');
}

async function lastDeliveries(client: ApiClient, webhookId: string, limit: number): Promise<Delivery[]> {
  const { body } = await client.get<{ deliveries: Delivery[] }>(client.v2('webhooks', webhookId, 'deliveries'), { query: { limit: String(limit) } });
  return body.deliveries;
}

export function registerWebhooksCommands(program: Command): void {
  const webhooks = examples(
    program.command('webhooks').description('The webhooks of the project and their last deliveries'),
    'coffer webhooks',
    'coffer webhooks show 3f2a',
    'coffer webhooks deliveries 3f2a --limit 50',
  );

  const list = webhooks
    .command('list', { isDefault: true })
    .description('List webhooks with the outcome of the last delivery of each')
    .action(async (_options: unknown, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const { body } = await client.get<{ webhooks: Webhook[] }>(client.v2('webhooks'));
      const rows = await Promise.all(body.webhooks.map(async (webhook) => ({ webhook, last: (await lastDeliveries(client, webhook.id, 1))[0] })));
      if (globalOptions(command).json) return printJson({ webhooks: rows.map((r) => ({ ...r.webhook, last_delivery: r.last ?? null })) });
      if (rows.length === 0) return printLine('No webhooks. Create one with POST /v2/{project}/webhooks (see docs/notifications.md).');
      printLine(
        formatTable(rows, [
          { header: 'ID', value: (r) => r.webhook.id.slice(0, 8), keep: true },
          { header: 'URL', value: (r) => r.webhook.url },
          { header: 'EVENTS', value: (r) => r.webhook.event_types.join(',') },
          { header: 'ENABLED', value: (r) => (r.webhook.enabled ? 'yes' : paintState('disabled')), keep: true },
          { header: 'LAST DELIVERY', value: (r) => (r.last ? `${paintState(r.last.state)} ${formatShortTime(r.last.created_time)} ${deliveryOutcome(r.last)}` : '-') },
        ]),
      );
    });
  examples(list, 'coffer webhooks', 'coffer webhooks list --json');

  const show = webhooks
    .command('show')
    .description('Show one webhook (its secret only to creators and admins) and its last deliveries')
    .argument('<webhook>', 'webhook id or id prefix')
    .option('--limit <n>', 'how many deliveries', parseLimit, 5)
    .action(async (ref: string, options: { limit: number }, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const webhook = await resolveWebhook(client, ref);
      const deliveries = await lastDeliveries(client, webhook.id, options.limit);
      if (globalOptions(command).json) return printJson({ ...webhook, deliveries });
      printLine(
        formatFields([
          ['id', webhook.id],
          ['url', webhook.url],
          ['events', webhook.event_types.join(', ')],
          ['enabled', webhook.enabled ? 'yes' : 'no'],
          ['secret', webhook.secret ?? '(hidden from observers)'],
          ['created', formatTime(webhook.created_time)],
          ['updated', formatTime(webhook.updated_time)],
        ]),
      );
      printLine();
      printLine(deliveryTable(deliveries, false));
    });
  examples(show, 'coffer webhooks show 3f2a', 'coffer webhooks show 3f2a --limit 20 --json');

  const deliveries = webhooks
    .command('deliveries')
    .description("List a webhook's last deliveries, newest first")
    .argument('<webhook>', 'webhook id or id prefix')
    .option('--limit <n>', 'how many deliveries', parseLimit, 20)
    .action(async (ref: string, options: { limit: number }, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const webhook = await resolveWebhook(client, ref);
      const rows = await lastDeliveries(client, webhook.id, options.limit);
      if (globalOptions(command).json) return printJson({ deliveries: rows });
      printLine(deliveryTable(rows, false));
    });
  examples(deliveries, 'coffer webhooks deliveries 3f2a', 'coffer webhooks deliveries 3f2a --limit 100 --json');

  const test = webhooks
    .command('test')
    .description('Queue a signed webhook.test delivery to a webhook')
    .argument('<webhook>', 'webhook id or id prefix')
    .action(async (ref: string, _options: unknown, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const webhook = await resolveWebhook(client, ref);
      const { body } = await client.post<{ delivery_id: string }>(client.v2('webhooks', webhook.id, 'test'));
      if (globalOptions(command).json) return printJson(body);
      printLine(`Queued test delivery ${body.delivery_id}; see it with: coffer notifications delivery ${body.delivery_id}`);
    });
  examples(test, 'coffer webhooks test 3f2a');
}
