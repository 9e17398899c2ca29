import type { Command } from 'commander';
import { ApiClient } from '../client/api-client.js';
import { examples, globalOptions, positiveInteger } from '../client/command-kit.js';
import { describeSchedule, localTimeZone, scheduleFromFlags } from '../client/configuration-flags.js';
import { UsageError } from '../client/errors.js';
import { formatFields, formatShortTime, formatTable, formatTime, paintState, printJson, printLine } from '../client/output.js';
import { formatBytes } from '../../terminal/units.js';
import { agentNames, pick, resolveAgent, resolveConfiguration } from '../client/resolve.js';
import { commandLine } from './tasks.js';
import { DrillRunState } from '../../domain/job-states.js';

const WATCH_INTERVAL_MS = 1_000;

async function resolveDrill(client: ApiClient, ref: string): Promise<any> {
  const { body } = await client.get<{ drills: any[] }>(client.v2('drills'));
  return pick(body.drills, ref, 'drill');
}

/** A run as a few lines: how it ended, what was restored, what the check said. */
function runFields(run: any): [string, string][] {
  const restore = run.restore;
  return [
    ['run', run.id],
    ['state', paintState(run.state)],
    ['started by', run.started_by],
    ['backup', run.backup?.id ?? '-'],
    [
      'restore',
      restore ? `${paintState(restore.state ?? 'running')}${restore.files_restored != null ? `, ${restore.files_restored} files, ${formatBytes(restore.bytes_restored)}` : ''} (${restore.id})` : '-',
    ],
    ['check', run.check ? `${paintState(run.check.state ?? 'running')}${run.check.failure_reason ? `: ${run.check.failure_reason}` : ''} (task ${run.check.task_guid})` : '-'],
    ['reason', run.failure_reason ?? '-'],
    ['created', formatTime(run.created_time)],
    ['ended', formatTime(run.ended_time)],
  ];
}

export function registerDrillsCommands(program: Command): void {
  const drills = examples(
    program.command('drills').description('Restore drills: restore the latest backup into a scratch folder on a schedule and run a check there'),
    'coffer drills create --config www --name nightly --target /var/tmp/drill-www --schedule "daily 04:00" -- test -s var/www/index.html',
    'coffer drills run nightly --watch',
  );

  const list = drills
    .command('list', { isDefault: true })
    .description('List the drills with their last run')
    .action(async (_options: unknown, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const { body } = await client.get<{ drills: any[] }>(client.v2('drills'));
      if (globalOptions(command).json) return printJson(body);
      if (body.drills.length === 0) return printLine('No drills.');
      const names = await agentNames(client);
      printLine(
        formatTable(body.drills, [
          { header: 'ID', value: (d) => d.id.slice(0, 8), keep: true },
          { header: 'NAME', value: (d) => d.name },
          { header: 'AGENT', value: (d) => names.get(d.agent.id) ?? d.agent.id },
          { header: 'TARGET', value: (d) => d.target_path },
          { header: 'SCHEDULE', value: (d) => (d.enabled ? describeSchedule(d.schedule, { zone: false }) : paintState('disabled')) },
          { header: 'LAST RUN', value: (d) => (d.last_run ? `${paintState(d.last_run.state)} ${formatShortTime(d.last_run.created_time)}` : '-') },
          { header: 'NEXT', value: (d) => formatShortTime(d.next_run_time) },
        ]),
      );
    });

  examples(list, 'coffer drills', 'coffer drills list --json');

  const create = drills
    .command('create')
    .description('Create a drill of a configuration; the check command comes after --')
    .requiredOption('--config <configuration>', 'the configuration whose latest completed backup is drilled')
    .requiredOption('--name <name>', 'a name for the drill')
    .requiredOption('--target <path>', 'absolute scratch folder on the agent: absent or empty; removed after each run')
    .option('--agent <agent>', "the agent that restores and checks (default: the configuration's)")
    .option('--schedule <phrase>', '"daily 04:00", "weekly sun 03:00", an RRULE, or "manual" (default)')
    .option('--tz <zone>', "IANA time zone of the schedule (default: this computer's)")
    .option('--timeout <seconds>', 'the whole run (restore and check) must end within this (default 3600)', positiveInteger('--timeout'))
    .option('--user <account>', "the host account the check runs as (default: the agent's task user)")
    .argument('<command...>', 'the check, after --: run in the scratch folder, exit 0 passes')
    .action(async (words: string[], options: { config: string; name: string; target: string; agent?: string; schedule?: string; tz?: string; timeout?: number; user?: string }, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const configuration = await resolveConfiguration(client, options.config);
      const body: Record<string, unknown> = {
        name: options.name,
        configuration_id: configuration.id,
        target_path: options.target,
        command: commandLine(words),
        schedule: scheduleFromFlags(options.schedule ?? 'manual', options.tz ?? localTimeZone()),
      };
      if (options.agent) body.agent_id = (await resolveAgent(client, options.agent)).id;
      if (options.timeout) body.timeout_seconds = options.timeout;
      if (options.user) body.user = options.user;
      const { body: drill } = await client.post(client.v2('drills'), body);
      if (globalOptions(command).json) return printJson(drill);
      printLine(`Created drill ${drill.name} (${drill.id}): ${describeSchedule(drill.schedule)}, into ${drill.target_path}.`);
    });
  examples(create, 'coffer drills create --config www --name nightly --target /var/tmp/drill-www --schedule "daily 04:00" --tz UTC -- test -s var/www/index.html');

  const update = drills
    .command('update')
    .description('Change a drill')
    .argument('<drill>', 'drill id, name or id prefix')
    .option('--name <name>', 'a new name')
    .option('--target <path>', 'a new scratch folder')
    .option('--schedule <phrase>', 'a new schedule, or "manual"')
    .option('--tz <zone>', "IANA time zone of the schedule (default: this computer's)")
    .option('--timeout <seconds>', 'a new timeout', positiveInteger('--timeout'))
    .option('--command <command>', 'a new check command')
    .option('--enable', 'run on its schedule again')
    .option('--disable', 'stop running on its schedule (runs on request still work)')
    .action(
      async (ref: string, options: { name?: string; target?: string; schedule?: string; tz?: string; timeout?: number; command?: string; enable?: boolean; disable?: boolean }, command: Command) => {
        const client = ApiClient.fromStoredSession();
        const drill = await resolveDrill(client, ref);
        if (options.enable && options.disable) throw new UsageError('give --enable or --disable, not both');
        const body: Record<string, unknown> = {};
        if (options.name) body.name = options.name;
        if (options.target) body.target_path = options.target;
        if (options.schedule !== undefined) body.schedule = scheduleFromFlags(options.schedule, options.tz ?? localTimeZone());
        if (options.timeout) body.timeout_seconds = options.timeout;
        if (options.command) body.command = options.command;
        if (options.enable || options.disable) body.enabled = Boolean(options.enable);
        if (Object.keys(body).length === 0) throw new UsageError('nothing to change: give at least one of --name, --target, --schedule, --timeout, --command, --enable, --disable');
        const { body: updated } = await client.request('PATCH', client.v2('drills', drill.id), { body });
        if (globalOptions(command).json) return printJson(updated);
        printLine(`Updated drill ${updated.name} (${updated.id}): ${updated.enabled ? describeSchedule(updated.schedule) : 'disabled'}, into ${updated.target_path}.`);
      },
    );
  examples(update, 'coffer drills update nightly --schedule "weekly sun 03:00"', 'coffer drills update nightly --disable');

  const remove = drills
    .command('delete')
    .description('Delete a drill and its run history')
    .argument('<drill>', 'drill id, name or id prefix')
    .action(async (ref: string) => {
      const client = ApiClient.fromStoredSession();
      const drill = await resolveDrill(client, ref);
      await client.request('DELETE', client.v2('drills', drill.id));
      printLine(`Deleted drill ${drill.name} (${drill.id}).`);
    });

  examples(remove, 'coffer drills delete nightly');

  const show = drills
    .command('show')
    .description('Details of a drill and its last run')
    .argument('<drill>', 'drill id, name or id prefix')
    .action(async (ref: string, _options: unknown, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const drill = await resolveDrill(client, ref);
      if (globalOptions(command).json) return printJson(drill);
      const names = await agentNames(client);
      printLine(
        formatFields([
          ['id', drill.id],
          ['name', drill.name],
          ['configuration', drill.configuration.id],
          ['agent', `${names.get(drill.agent.id) ?? '?'} (${drill.agent.id})`],
          ['target', drill.target_path],
          ['command', drill.command ?? '(hidden)'],
          ['user', drill.user ?? "(the agent's task user)"],
          ['schedule', drill.enabled ? describeSchedule(drill.schedule) : 'disabled'],
          ['timeout', `${drill.timeout_seconds} s`],
          ['next run', formatTime(drill.next_run_time)],
          ['last run', drill.last_run ? `${paintState(drill.last_run.state)} ${formatTime(drill.last_run.created_time)} (${drill.last_run.id})` : '-'],
          ['last reason', drill.last_run?.failure_reason ?? '-'],
        ]),
      );
    });

  examples(show, 'coffer drills show nightly', 'coffer drills show nightly --json');

  const run = drills
    .command('run')
    .description('Run a drill now')
    .argument('<drill>', 'drill id, name or id prefix')
    .option('--watch', 'wait for the run to end (exit 0 passed, 1 failed)')
    .action(async (ref: string, options: { watch?: boolean }, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const drill = await resolveDrill(client, ref);
      let { body: current } = await client.post(client.v2('drills', drill.id, 'runs'));
      const json = globalOptions(command).json;
      if (!json) printLine(`Started drill run ${current.id} (${current.state}).`);
      if (options.watch) {
        let seen = current.state;
        while (current.state !== DrillRunState.passed && current.state !== DrillRunState.failed) {
          await new Promise((resolve) => setTimeout(resolve, WATCH_INTERVAL_MS));
          current = (await client.get(client.v2('drill-runs', current.id))).body;
          if (!json && current.state !== seen) printLine(`drill ${current.state}`);
          seen = current.state;
        }
        process.exitCode = current.state === DrillRunState.passed ? 0 : 1;
      }
      if (json) return printJson(current);
      if (options.watch) printLine(formatFields(runFields(current)));
      else printLine(`Follow it with: coffer drills result ${current.id}`);
    });
  examples(run, 'coffer drills run nightly --watch');

  const runs = drills
    .command('runs')
    .description('Runs of one drill, or of all, newest first')
    .argument('[drill]', 'drill id, name or id prefix')
    .option('--limit <n>', 'how many (default 20)', positiveInteger('--limit'), 20)
    .action(async (ref: string | undefined, options: { limit: number }, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const path = ref ? client.v2('drills', (await resolveDrill(client, ref)).id, 'runs') : client.v2('drill-runs');
      const { body } = await client.get<{ drill_runs: any[] }>(path, { query: { limit: options.limit } });
      if (globalOptions(command).json) return printJson(body);
      if (body.drill_runs.length === 0) return printLine('No drill runs.');
      printLine(
        formatTable(body.drill_runs, [
          { header: 'ID', value: (r) => r.id.slice(0, 8), keep: true },
          { header: 'STATE', value: (r) => paintState(r.state) },
          { header: 'BY', value: (r) => r.started_by },
          { header: 'STARTED', value: (r) => formatShortTime(r.created_time) },
          { header: 'RESTORE', value: (r) => r.restore?.state ?? '-' },
          { header: 'CHECK', value: (r) => r.check?.state ?? '-' },
          { header: 'REASON', value: (r) => r.failure_reason ?? '' },
        ]),
      );
    });
  examples(runs, 'coffer drills runs nightly --limit 5');

  const result = drills
    .command('result')
    .description('One drill run: its restore, its check and how it ended')
    .argument('<run>', 'drill run id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const { body } = await client.get(client.v2('drill-runs', id));
      if (globalOptions(command).json) return printJson(body);
      printLine(formatFields(runFields(body)));
    });
  examples(result, 'coffer drills result 0c6f6a0e-9f2d-4d55-a2a7-0d6a4b9d8c11');
}
