import { InvalidArgumentError, type Command } from 'commander';
import { ApiClient } from '../client/api-client.js';
import { collect, examples, globalOptions, nonNegativeInteger } from '../client/command-kit.js';
import { checkedTimeZone, describeSchedule, localTimeZone, notificationsFor, pathItem, scheduleFromFlags } from '../client/configuration-flags.js';
import { UsageError } from '../client/errors.js';
import { addExclusionFlags, describeExclusion, exclusionsFromFlags, hasExclusionFlags, type ExclusionFlags } from '../exclusion-flags.js';
import { formatFields, formatShortTime, formatTable, formatTime, paintState, printJson, printLine } from '../client/output.js';
import { agentNames, resolveAgent, resolveConfiguration } from '../client/resolve.js';
import { describeRetention, registerConfigsRetentionCommand } from './configs-retention.js';
import { rateText } from './queue.js';
import { parseByteLimit } from './quota.js';

interface ConfigFlags extends ExclusionFlags {
  name?: string;
  agent?: string;
  include?: string[];
  schedule?: string;
  tz?: string;
  retentionDays?: number;
  notifyEmail?: string[];
  disabled?: boolean;
  upload?: number | 'unlimited';
  download?: number | 'unlimited';
  window?: { start: string; end: string } | 'none';
  outside?: 'pause' | 'stop';
}

/** `--window 22:00-06:00` (times of day in the schedule's zone), or `none`. */
function parseWindow(value: string): { start: string; end: string } | 'none' {
  if (value === 'none') return value;
  const match = /^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('give start-end as HH:MM-HH:MM, e.g. 22:00-06:00, or "none".');
  return { start: match[1]!, end: match[2]! };
}

function parseOutside(value: string): 'pause' | 'stop' {
  if (value !== 'pause' && value !== 'stop') throw new InvalidArgumentError('give pause or stop.');
  return value;
}

const describeWindow = (window: { start: string; end: string; outside: string } | null | undefined, zone: string | undefined) =>
  window ? `${window.start}-${window.end} ${zone ?? 'UTC'}; outside it a running scheduled backup ${window.outside === 'stop' ? 'stops' : 'pauses'}` : 'any time';

const rateValue = (rate: number | 'unlimited') => (rate === 'unlimited' ? null : rate);

function addConfigFlags(command: Command, negations: boolean): Command {
  command.option('--name <name>', 'a name people recognise, e.g. "Web files"').option('--include <path>', 'folder to back up (repeatable or comma-separated; file:/path for a single file)', collect);
  return addExclusionFlags(command, { pathsToo: true, patternFiles: false, negations })
    .option('--schedule <phrase>', '"daily 02:00", "every 2h", "weekly mon,thu 14:00", an RRULE, or "manual"')
    .option('--tz <zone>', "IANA time zone of the schedule (default: this computer's)")
    .option('--retention-days <days>', 'days to keep each backup; 0 keeps forever', nonNegativeInteger('--retention-days'))
    .option('--notify-email <address>', 'e-mail told when a backup fails (repeatable)', collect)
    .option('--upload <rate>', 'this configuration\'s vault upload limit per second, e.g. 10MB, 512KiB, or "unlimited" (the agent\'s own limit applies too)', parseByteLimit)
    .option('--download <rate>', 'vault download limit per second for restores of its backups, or "unlimited"', parseByteLimit)
    .option('--window <start-end>', 'time of day scheduled backups may run, in the schedule\'s zone, e.g. 22:00-06:00, or "none"', parseWindow)
    .option('--outside <pause|stop>', 'what a scheduled backup still running when its window closes does (default pause)', parseOutside);
}

const SCHEDULE_HELP = `
Schedules:
  "hourly", "every 2h", "every 6h at :15"   every N hours
  "daily 02:00", "every 2 days 3:30am"      at a time of day
  "weekly mon,thu 14:00", "weekly weekdays 08:00"
  "manual"                                  only when started by hand
Paths: a path is a folder; write file:/etc/app.conf for a single file.
Exclusions: an absolute folder or file:/path must be under an included folder; anything with glob characters
  (*.log, **/node_modules, /srv/www/cache/**) or not starting with / is a pattern (pattern:TEXT forces one).
  On edit, --exclude/--iexclude replace the paths and patterns, --exclude-if-present the markers; the other
  kinds of exclusion stay as they are unless their flag is given (--no-exclude-caches, --exclude-larger-than none,
  --no-one-file-system remove them).`;

export function registerConfigsCommands(program: Command): void {
  const configs = examples(program.command('configs').description('Backup configurations: what to back up, when, and for how long'), 'coffer configs', 'coffer configs create --help');

  const list = configs
    .command('list', { isDefault: true })
    .description('List backup configurations (ids shortened: any unique prefix, or the name, works in other commands)')
    .option('--agent <agent>', 'only the configurations of this agent')
    .action(async (options: { agent?: string }, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const path = options.agent ? client.v2('agents', (await resolveAgent(client, options.agent)).id, 'configurations') : client.v2('configurations');
      const { body } = await client.get<{ configurations: any[] }>(path);
      if (globalOptions(command).json) return printJson(body);
      if (body.configurations.length === 0) return printLine('No configurations yet. Create one with: coffer configs create --help');
      const names = await agentNames(client);
      printLine(
        formatTable(body.configurations, [
          { header: 'ID', value: (c) => c.id.slice(0, 8), keep: true },
          { header: 'NAME', value: (c) => c.name },
          { header: 'AGENT', value: (c) => names.get(c.agent?.id) ?? c.agent?.id ?? '-' },
          { header: 'SCHEDULE', value: (c) => (c.enabled ? describeSchedule(c.schedule, { zone: false }) : paintState('disabled')) },
          // In the schedule's own zone, which the value names.
          { header: 'NEXT', value: (c) => formatShortTime(c.backups?.next?.scheduled_time, c.schedule?.time_zone), keep: true },
        ]),
      );
    });
  examples(list, 'coffer configs', 'coffer configs --agent web-1 --json');

  const show = configs
    .command('show')
    .description('Details of one configuration')
    .argument('<config>', 'configuration id, name or id prefix')
    .action(async (ref: string, _options: unknown, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const found = await resolveConfiguration(client, ref);
      const { body: config } = await client.get(client.v2('configurations', found.id));
      if (globalOptions(command).json) return printJson(config);
      const names = await agentNames(client);
      const paths = (items: { type: string; path?: string }[] | undefined) => (items ?? []).map(describeExclusion).join(', ') || '-';
      printLine(
        formatFields([
          ['id', config.id],
          ['name', config.name],
          ['agent', `${names.get(config.agent?.id) ?? ''} (${config.agent?.id})`],
          ['enabled', config.enabled ? 'yes' : 'no'],
          ['schedule', `${describeSchedule(config.schedule)}${config.schedule ? `  (${config.schedule.recurrence?.[0]})` : ''}`],
          ['next backup', formatTime(config.backups?.next?.scheduled_time, config.schedule?.time_zone)],
          ['last completed', config.backups?.last_completed?.id ?? '-'],
          ['retention', describeRetention(config.retention)],
          ['includes', paths(config.inclusions)],
          ['excludes', paths(config.exclusions)],
          ['notify', (config.notifications ?? []).map((n: { destination: string }) => n.destination).join(', ') || '-'],
          ['window', describeWindow(config.backup_window, config.schedule?.time_zone)],
          ['bandwidth', `upload ${rateText(config.bandwidth?.upload_bytes_per_second ?? null)}, download ${rateText(config.bandwidth?.download_bytes_per_second ?? null)}`],
          ...(config.deleted ? ([['deleted', 'yes']] as [string, string][]) : []),
        ]),
      );
    });
  examples(show, 'coffer configs show "Web files"');

  const create = addConfigFlags(configs.command('create').description('Create a backup configuration').requiredOption('--agent <agent>', 'agent that runs the backups (id, name or id prefix)'), false)
    .option('--disabled', 'create it switched off')
    .addHelpText('after', SCHEDULE_HELP)
    .action(async (options: ConfigFlags, command: Command) => {
      if (!options.name) throw new UsageError('--name is required');
      if (!options.include?.length) throw new UsageError('--include is required: at least one folder to back up');
      if (!options.notifyEmail?.length) throw new UsageError('--notify-email is required: the API wants someone told when a backup fails');
      const schedule = scheduleFromFlags(options.schedule ?? 'manual', options.tz ?? localTimeZone());
      const client = ApiClient.fromStoredSession();
      const agent = await resolveAgent(client, options.agent!);
      const body = {
        agent_id: agent.id,
        name: options.name,
        enabled: !options.disabled,
        schedule,
        retention: { days: options.retentionDays ?? 30 },
        inclusions: options.include.map(pathItem),
        exclusions: exclusionsFromFlags(options, UsageError, { pathsToo: true }),
        notifications: notificationsFor(options.notifyEmail),
        bandwidth: {
          upload_bytes_per_second: options.upload === undefined ? null : rateValue(options.upload),
          download_bytes_per_second: options.download === undefined ? null : rateValue(options.download),
        },
        backup_window: options.window === undefined || options.window === 'none' ? null : { ...options.window, outside: options.outside ?? 'pause' },
      };
      if (options.outside !== undefined && !body.backup_window) throw new UsageError('--outside needs --window');
      const { body: created } = await client.post(client.v2('configurations'), body);
      if (globalOptions(command).json) return printJson(created);
      printLine(`Created configuration ${created.name} (${created.id}): ${describeSchedule(created.schedule)}.`);
    });
  examples(
    create,
    'coffer configs create --agent web-1 --name "Web files" --include /var/www --exclude /var/www/cache --schedule "daily 02:00" --tz Europe/Berlin --retention-days 30 --notify-email ops@example.com',
    "coffer configs create --agent web-1 --name Home --include /home --exclude '*.log' --exclude '**/node_modules' --exclude-caches --exclude-if-present .nobackup --notify-email ops@example.com",
  );

  const edit = addConfigFlags(configs.command('edit').description('Change a configuration: only the flags given change').argument('<config>', 'configuration id, name or id prefix'), true)
    .addHelpText('after', SCHEDULE_HELP)
    .action(async (ref: string, options: ConfigFlags, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const found = await resolveConfiguration(client, ref);
      const operations: { op: 'replace'; path: string; value: unknown }[] = [];
      const replace = (path: string, value: unknown) => operations.push({ op: 'replace', path, value });
      if (options.name !== undefined) replace('/name', options.name);
      if (options.schedule !== undefined || options.tz !== undefined) {
        const { body: current } = await client.get(client.v2('configurations', found.id));
        const zone = options.tz ?? current.schedule?.time_zone ?? localTimeZone();
        if (options.schedule !== undefined) replace('/schedule', scheduleFromFlags(options.schedule, zone));
        else if (current.schedule) replace('/schedule', { recurrence: current.schedule.recurrence, time_zone: checkedTimeZone(zone) });
        else throw new UsageError('--tz needs a schedule: the configuration runs only by hand; give --schedule too');
      }
      if (options.retentionDays !== undefined) replace('/retention/days', options.retentionDays);
      if (options.include !== undefined) replace('/inclusions', options.include.map(pathItem));
      if (hasExclusionFlags(options)) {
        const { body: current } = await client.get(client.v2('configurations', found.id));
        replace('/exclusions', exclusionsFromFlags(options, UsageError, { pathsToo: true, current: current.exclusions ?? [] }));
      }
      if (options.notifyEmail !== undefined) replace('/notifications', notificationsFor(options.notifyEmail));
      if (options.upload !== undefined) replace('/bandwidth/upload_bytes_per_second', rateValue(options.upload));
      if (options.download !== undefined) replace('/bandwidth/download_bytes_per_second', rateValue(options.download));
      if (options.window !== undefined || options.outside !== undefined) {
        const { body: current } = await client.get(client.v2('configurations', found.id));
        const span = options.window ?? current.backup_window;
        if (span === 'none') replace('/backup_window', null);
        else if (!span) throw new UsageError('--outside needs a window: give --window too');
        else replace('/backup_window', { start: span.start, end: span.end, outside: options.outside ?? current.backup_window?.outside ?? 'pause' });
      }
      if (operations.length === 0) {
        throw new UsageError(
          'nothing to change: give at least one of --name, --include, --exclude (or another exclusion flag), --schedule, --tz, --retention-days, --notify-email, --upload, --download, --window, --outside',
        );
      }
      await client.patch(client.v2('configurations', found.id), operations);
      const { body: updated } = await client.get(client.v2('configurations', found.id));
      if (globalOptions(command).json) return printJson(updated);
      printLine(`Updated configuration ${updated.name} (${updated.id}): ${describeSchedule(updated.schedule)}.`);
    });
  examples(
    edit,
    'coffer configs edit "Web files" --schedule "weekly mon,thu 14:00"',
    'coffer configs edit 7c8ee069 --exclude /var/www/cache,/var/www/tmp',
    'coffer configs edit "Web files" --upload 10MB --download unlimited',
    'coffer configs edit "Web files" --window 22:00-06:00 --outside stop',
  );

  for (const [name, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    const cmd = configs
      .command(name)
      .description(enabled ? 'Run the scheduled backups again' : 'Pause the scheduled backups of a configuration')
      .argument('<config>', 'configuration id, name or id prefix')
      .action(async (ref: string, _options: unknown, command: Command) => {
        const client = ApiClient.fromStoredSession();
        const config = await resolveConfiguration(client, ref);
        await client.patch(client.v2('configurations', config.id), [{ op: 'replace', path: '/enabled', value: enabled }]);
        if (globalOptions(command).json) return printJson((await client.get(client.v2('configurations', config.id))).body);
        printLine(`Configuration ${config.name} is ${enabled ? 'enabled' : 'disabled'}.`);
      });
    examples(cmd, `coffer configs ${name} "Web files"`);
  }

  registerConfigsRetentionCommand(configs);

  const remove = configs
    .command('remove')
    .description('Delete a configuration (its backups stay restorable until retention ends)')
    .argument('<config>', 'configuration id, name or id prefix')
    .action(async (ref: string, _options: unknown, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const config = await resolveConfiguration(client, ref);
      await client.delete(client.v2('configurations', config.id));
      if (globalOptions(command).json) return printJson({ id: config.id, deleted: true });
      printLine(`Configuration ${config.name} (${config.id}) removed.`);
    });
  examples(remove, 'coffer configs remove "Web files"');
}
