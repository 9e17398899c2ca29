import type { Command } from 'commander';
import { ApiClient } from '../client/api-client.js';
import { examples, globalOptions, nonNegativeInteger, positiveInteger } from '../client/command-kit.js';
import { UsageError } from '../client/errors.js';
import { formatFields, formatTable, paintJobState, printJson, printLine } from '../client/output.js';
import { formatBytes } from '../../terminal/units.js';
import { parseByteLimit } from './quota.js';
import { resolveAgent } from '../client/resolve.js';

interface QueueSettings {
  max_running_backups: number;
  start_jitter_seconds: number;
  server_max_running_backups: number;
}

interface AgentLimits {
  max_running_jobs: number;
  upload_bytes_per_second: number | null;
  download_bytes_per_second: number | null;
}

/** A bandwidth limit for people: `10 MB/s` or `unlimited`. */
export const rateText = (rate: number | null) => (rate === null ? 'unlimited' : `${formatBytes(rate)}/s`);

/** Backups waiting for a run slot, in the order they will start. */
async function waitingBackups(client: ApiClient): Promise<any[]> {
  const { body } = await client.get<{ backups: any[] }>(client.v2('backups'), { query: { limit: 1000 } });
  return body.backups.filter((b) => typeof b.queue_position === 'number').sort((a, b) => a.queue_position - b.queue_position);
}

function settingsFields(settings: QueueSettings): [string, string][] {
  return [
    ['backups at once', `${settings.max_running_backups} in this project, ${settings.server_max_running_backups} on the server`],
    ['start jitter', settings.start_jitter_seconds === 0 ? 'none (scheduled backups start on time)' : `up to ${settings.start_jitter_seconds} s after the scheduled time`],
  ];
}

export function registerQueueCommands(program: Command): void {
  const queue = examples(
    program.command('queue').description('The backup queue: how many backups run at once, and the scheduled backups waiting for a slot'),
    'coffer queue',
    'coffer queue set --max-running 3 --jitter 600',
    'coffer queue agent web-1 --max-jobs 2',
  );

  const show = queue
    .command('show', { isDefault: true })
    .description('Show the limits and the backups waiting, with their places in the queue')
    .action(async (_options: unknown, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const [{ body: settings }, waiting] = await Promise.all([client.get<QueueSettings>(client.v2('settings', 'queue')), waitingBackups(client)]);
      if (globalOptions(command).json) return printJson({ settings, waiting });
      printLine(formatFields(settingsFields(settings)));
      if (waiting.length === 0) return printLine('No backups are waiting.');
      const { body: configs } = await client.get<{ configurations: { id: string; name: string }[] }>(client.v2('configurations'));
      const names = new Map(configs.configurations.map((c) => [c.id, c.name]));
      printLine(
        formatTable(waiting, [
          { header: '#', value: (b) => String(b.queue_position), align: 'right', keep: true },
          { header: 'ID', value: (b) => b.id.slice(0, 8), keep: true },
          { header: 'CONFIG', value: (b) => names.get(b.configuration?.id) ?? b.configuration?.id ?? '-' },
          { header: 'STATE', value: (b) => paintJobState(b) },
        ]),
      );
    });
  examples(show, 'coffer queue', 'coffer queue --json');

  const set = queue
    .command('set')
    .description("Change the project's queue settings (admin role); the others keep their values")
    .option('--max-running <n>', 'backups of the project running at once', positiveInteger('--max-running'))
    .option('--jitter <seconds>', 'start each scheduled backup at a random moment up to this long after its time (0: on time)', nonNegativeInteger('--jitter'))
    .action(async (options: { maxRunning?: number; jitter?: number }, command: Command) => {
      if (options.maxRunning === undefined && options.jitter === undefined) throw new UsageError('give --max-running and/or --jitter');
      const client = ApiClient.fromStoredSession();
      const { body: current } = await client.get<QueueSettings>(client.v2('settings', 'queue'));
      const body = { max_running_backups: options.maxRunning ?? current.max_running_backups, start_jitter_seconds: options.jitter ?? current.start_jitter_seconds };
      await client.request('PUT', client.v2('settings', 'queue'), { body });
      const { body: updated } = await client.get<QueueSettings>(client.v2('settings', 'queue'));
      if (globalOptions(command).json) return printJson(updated);
      printLine(formatFields(settingsFields(updated)));
    });
  examples(set, 'coffer queue set --max-running 3', 'coffer queue set --jitter 900');

  const agent = queue
    .command('agent')
    .description("Show or change one agent's limits: jobs at once (default 1) and vault bandwidth (default unlimited)")
    .argument('<agent>', 'agent id, name or id prefix')
    .option('--max-jobs <n>', 'backups, restores and cleanups the agent runs at once', positiveInteger('--max-jobs'))
    .option('--upload <rate>', 'vault upload limit per second, e.g. 10MB, 512KiB, or "unlimited"; a running backup follows it within a second or two', parseByteLimit)
    .option('--download <rate>', 'vault download limit per second (restores, checks), or "unlimited"', parseByteLimit)
    .action(async (ref: string, options: { maxJobs?: number; upload?: number | 'unlimited'; download?: number | 'unlimited' }, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const found = await resolveAgent(client, ref);
      const path = client.v2('agents', found.id, 'limits');
      const { body: current } = await client.get<AgentLimits>(path);
      const rate = (value: number | 'unlimited' | undefined, was: number | null) => (value === undefined ? was : value === 'unlimited' ? null : value);
      if (options.maxJobs !== undefined || options.upload !== undefined || options.download !== undefined) {
        const body: AgentLimits = {
          max_running_jobs: options.maxJobs ?? current.max_running_jobs,
          upload_bytes_per_second: rate(options.upload, current.upload_bytes_per_second),
          download_bytes_per_second: rate(options.download, current.download_bytes_per_second),
        };
        await client.request('PUT', path, { body });
      }
      const { body: limits } = await client.get<AgentLimits>(path);
      if (globalOptions(command).json) return printJson(limits);
      printLine(
        formatFields([
          ['agent', `${found.name} (${found.id})`],
          ['jobs at once', String(limits.max_running_jobs)],
          ['upload', rateText(limits.upload_bytes_per_second)],
          ['download', rateText(limits.download_bytes_per_second)],
        ]),
      );
    });
  examples(agent, 'coffer queue agent web-1', 'coffer queue agent web-1 --max-jobs 2', 'coffer queue agent web-1 --upload 10MB --download unlimited');
}
