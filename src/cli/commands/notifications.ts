import { InvalidArgumentError, type Command } from 'commander';
import { ApiClient } from '../client/api-client.js';
import { examples, globalOptions } from '../client/command-kit.js';
import { formatFields, formatTable, formatTime, paint, paintState, printJson, printLine } from '../client/output.js';
import { agentNames } from '../client/resolve.js';
import { deliveryOutcome, deliveryTable, parseLimit, type Delivery } from './webhooks.js';

interface Notification {
  type: string;
  destination: string;
  on_success?: boolean;
  on_failure?: boolean;
}

interface SummarySettings {
  daily: boolean;
  weekly: boolean;
  notifications: Notification[];
}

const CHANNELS = ['email', 'webhook'];
const STATES = ['pending', 'delivered', 'failed'];

function oneOf(allowed: string[]) {
  return (value: string) => {
    if (!allowed.includes(value)) throw new InvalidArgumentError(`give one of ${allowed.join(', ')}.`);
    return value;
  };
}

/** Every configuration's e-mail notifications (the list has none, so each configuration is read). */
async function configurationNotifications(client: ApiClient) {
  const { body } = await client.get<{ configurations: { id: string; name: string; agent: { id: string } }[] }>(client.v2('configurations'));
  const names = await agentNames(client);
  const details = await Promise.all(body.configurations.map(async (c) => (await client.get<{ notifications: Notification[] }>(client.v2('configurations', c.id))).body));
  return body.configurations.flatMap((c, i) => (details[i]!.notifications ?? []).map((n) => ({ configuration: c.name, configuration_id: c.id, agent: names.get(c.agent.id) ?? c.agent.id, ...n })));
}

export function registerNotificationsCommands(program: Command): void {
  const notifications = examples(
    program.command('notifications').description('Who is told what: e-mail notifications, summary and alert settings, and the last deliveries'),
    'coffer notifications',
    'coffer notifications deliveries --channel email --state failed',
    'coffer notifications delivery 9b1c0d2e',
  );

  const list = notifications
    .command('list', { isDefault: true })
    .description("Show the configurations' e-mail notifications, summary e-mails, the agent-offline threshold and the last deliveries")
    .option('--limit <n>', 'how many deliveries', parseLimit, 10)
    .action(async (options: { limit: number }, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const [emails, summaries, alerts, deliveries] = await Promise.all([
        configurationNotifications(client),
        client.get<SummarySettings>(client.v2('settings', 'summaries')).then((r) => r.body),
        client.get<{ agent_offline_seconds: number }>(client.v2('settings', 'alerts')).then((r) => r.body),
        client.get<{ deliveries: Delivery[] }>(client.v2('deliveries'), { query: { limit: String(options.limit) } }).then((r) => r.body.deliveries),
      ]);
      if (globalOptions(command).json) return printJson({ configurations: emails, summaries, alerts, deliveries });
      printLine(paint('E-mail notifications of configurations', 'bold'));
      printLine(
        emails.length === 0
          ? 'none'
          : formatTable(emails, [
              { header: 'CONFIGURATION', value: (e) => e.configuration },
              { header: 'AGENT', value: (e) => e.agent },
              { header: 'ADDRESS', value: (e) => e.destination, keep: true },
              { header: 'ON SUCCESS', value: (e) => (e.on_success ? 'yes' : 'no'), keep: true },
              { header: 'ON FAILURE', value: (e) => (e.on_failure ? 'yes' : 'no'), keep: true },
            ]),
      );
      printLine();
      const periods = [summaries.daily ? 'daily' : '', summaries.weekly ? 'weekly' : ''].filter(Boolean).join(' and ') || 'off';
      printLine(
        formatFields([
          ['summary e-mails', `${periods}${summaries.notifications.length > 0 ? ` to ${summaries.notifications.map((n) => n.destination).join(', ')}` : ''}`],
          ['agent offline after', `${Math.round(alerts.agent_offline_seconds / 60)} min (mail to the on_failure addresses of its configurations)`],
        ]),
      );
      printLine();
      printLine(paint('Last deliveries (e-mails and webhooks)', 'bold'));
      printLine(deliveryTable(deliveries, true));
    });
  examples(list, 'coffer notifications', 'coffer notifications --json');

  const deliveries = notifications
    .command('deliveries')
    .description('List e-mail and webhook deliveries, newest first')
    .option('--channel <channel>', 'email or webhook', oneOf(CHANNELS))
    .option('--state <state>', 'pending, delivered or failed', oneOf(STATES))
    .option('--limit <n>', 'how many', parseLimit, 20)
    .action(async (options: { channel?: string; state?: string; limit: number }, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const { body } = await client.get<{ deliveries: Delivery[] }>(client.v2('deliveries'), { query: { channel: options.channel, state: options.state, limit: String(options.limit) } });
      if (globalOptions(command).json) return printJson(body);
      printLine(deliveryTable(body.deliveries, true));
    });
  examples(deliveries, 'coffer notifications deliveries --state failed');

  const delivery = notifications
    .command('delivery')
    .description('Show one delivery with every attempt')
    .argument('<id>', 'delivery id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const { body: d } = await client.get<Delivery>(client.v2('deliveries', id));
      if (globalOptions(command).json) return printJson(d);
      printLine(
        formatFields([
          ['id', d.id],
          ['channel', d.channel],
          ['to', d.recipient],
          ['event', d.event_type],
          ['about', d.subject_id ?? '-'],
          ['state', paintState(d.state)],
          ['attempts', String(d.attempts)],
          ['last', deliveryOutcome(d)],
          ['created', formatTime(d.created_time)],
          ['delivered', formatTime(d.delivered_time)],
        ]),
      );
      const log = d.attempt_log ?? [];
      if (log.length > 0) {
        printLine();
        printLine(
          formatTable(log, [
            { header: '#', value: (a) => String(a.attempt), align: 'right' as const, keep: true },
            { header: 'STARTED', value: (a) => formatTime(a.started_time), keep: true },
            { header: 'MS', value: (a) => String(a.duration_ms), align: 'right' as const },
            { header: 'OUTCOME', value: (a) => paintState(a.outcome), keep: true },
            { header: 'STATUS', value: (a) => (a.status_code === null ? '-' : String(a.status_code)) },
            { header: 'ERROR', value: (a) => a.error ?? '' },
          ]),
        );
      }
    });
  examples(delivery, 'coffer notifications delivery 9b1c0d2e-…');
}
