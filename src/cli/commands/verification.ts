import type { Command } from 'commander';
import { ApiClient } from '../client/api-client.js';
import { examples, globalOptions, positiveInteger } from '../client/command-kit.js';
import { describeSchedule, localTimeZone, scheduleFromFlags } from '../client/configuration-flags.js';
import { UsageError } from '../client/errors.js';
import { formatFields, formatShortTime, formatTable, formatTime, paintState, printJson, printLine } from '../client/output.js';
import { formatBytes } from '../../terminal/units.js';
import { resolveAgent } from '../client/resolve.js';
import { isOneOf, VERIFICATION_TERMINAL, VerificationRunState } from '../../domain/job-states.js';

const WATCH_INTERVAL_MS = 1_000;
const RECENT_RUNS = 10;

interface VerificationSettings {
  enabled: boolean;
  schedule: { recurrence: string[]; time_zone: string } | null;
  read_data_subsets: number;
  next_run_time: string | null;
  next_read_data_subset: string;
}

const settingsPath = (client: ApiClient, agentId: string) => client.v2('agents', agentId, 'verification');

function scheduleText(settings: VerificationSettings): string {
  if (settings.schedule === null) return 'on request only';
  return settings.enabled ? describeSchedule(settings.schedule) : `${paintState('disabled')} (${describeSchedule(settings.schedule)})`;
}

function settingsFields(agent: { id: string; name: string }, settings: VerificationSettings): [string, string][] {
  const n = settings.read_data_subsets;
  return [
    ['agent', `${agent.name} (${agent.id})`],
    ['schedule', scheduleText(settings)],
    ['each run reads', n === 1 ? 'every pack' : `1/${n} of the packs (all of them within ${n} runs)`],
    ['next run', formatTime(settings.next_run_time)],
    ['next subset', settings.next_read_data_subset],
  ];
}

function runFields(run: any): [string, string][] {
  return [
    ['run', run.id],
    ['state', paintState(run.state)],
    ['subset', run.read_data_subset],
    ['started by', run.started_by],
    ['packs read', `${run.packs_read} of ${run.packs} (${formatBytes(run.bytes_read)})`],
    ['snapshots', String(run.snapshots)],
    ['created', formatTime(run.created_time)],
    ['ended', formatTime(run.ended_time)],
    ['errors', run.errors.length === 0 ? '-' : String(run.errors.length)],
  ];
}

/** A run's fields, then each error on a line of its own. */
function printRun(run: any): void {
  printLine(formatFields(runFields(run)));
  for (const error of run.errors) printLine(`  ${error}`);
}

function runsTable(runs: any[]): string {
  return formatTable(runs, [
    { header: 'ID', value: (r) => r.id.slice(0, 8), keep: true },
    { header: 'STATE', value: (r) => paintState(r.state), keep: true },
    { header: 'SUBSET', value: (r) => r.read_data_subset },
    { header: 'BY', value: (r) => r.started_by },
    { header: 'STARTED', value: (r) => formatShortTime(r.created_time) },
    { header: 'PACKS', value: (r) => `${r.packs_read}/${r.packs}`, align: 'right' },
    { header: 'FIRST ERROR', value: (r) => r.errors[0] ?? '' },
  ]);
}

async function recentRuns(client: ApiClient, agentId: string, limit: number): Promise<any[]> {
  const { body } = await client.get<{ verification_runs: any[] }>(client.v2('agents', agentId, 'verification', 'runs'), { query: { limit } });
  return body.verification_runs;
}

export function registerVerificationCommands(program: Command): void {
  const verification = examples(
    program.command('verification').description('Vault verification: the agent reads its vault back and checks it, on a schedule (1/N of the packs a run) or now'),
    'coffer verification show web-1',
    'coffer verification set web-1 --schedule "daily 03:00" --subsets 7',
    'coffer verification run web-1 --watch',
  );

  const show = verification
    .command('show', { isDefault: true })
    .description("An agent's verification schedule and its recent runs")
    .argument('<agent>', 'agent id, name or id prefix')
    .option('--limit <n>', `how many recent runs (default ${RECENT_RUNS})`, positiveInteger('--limit'), RECENT_RUNS)
    .action(async (ref: string, options: { limit: number }, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const agent = await resolveAgent(client, ref);
      const [{ body: settings }, runs] = await Promise.all([client.get<VerificationSettings>(settingsPath(client, agent.id)), recentRuns(client, agent.id, options.limit)]);
      if (globalOptions(command).json) return printJson({ settings, verification_runs: runs });
      printLine(formatFields(settingsFields(agent, settings)));
      printLine();
      printLine(runs.length === 0 ? 'No verification runs yet.' : runsTable(runs));
    });
  examples(show, 'coffer verification show web-1', 'coffer verification show web-1 --limit 3 --json');

  const set = verification
    .command('set')
    .description("Set an agent's verification schedule (creator role); what is not given keeps its value")
    .argument('<agent>', 'agent id, name or id prefix')
    .option('--schedule <phrase>', '"daily 03:00", "weekly sun 02:00", an RRULE, or "manual" (runs on request only)')
    .option('--tz <zone>', "IANA time zone of the schedule (default: this computer's)")
    .option('--subsets <n>', 'N from 1 to 256: each run reads 1/N of the packs, all of them within N runs', positiveInteger('--subsets'))
    .option('--enable', 'run on the schedule')
    .option('--disable', 'stop running on the schedule, keeping it (runs on request still work)')
    .action(async (ref: string, options: { schedule?: string; tz?: string; subsets?: number; enable?: boolean; disable?: boolean }, command: Command) => {
      if (options.enable && options.disable) throw new UsageError('give --enable or --disable, not both');
      if (options.schedule === undefined && options.subsets === undefined && !options.enable && !options.disable) {
        throw new UsageError('nothing to change: give at least one of --schedule, --subsets, --enable, --disable');
      }
      const client = ApiClient.fromStoredSession();
      const agent = await resolveAgent(client, ref);
      const { body: current } = await client.get<VerificationSettings>(settingsPath(client, agent.id));
      const schedule = options.schedule !== undefined ? scheduleFromFlags(options.schedule, options.tz ?? localTimeZone()) : current.schedule;
      // A new schedule is meant to run unless --disable says otherwise.
      const enabled = options.disable ? false : options.enable || options.schedule !== undefined ? true : current.enabled;
      const body = { enabled, schedule, read_data_subsets: options.subsets ?? current.read_data_subsets };
      const { body: saved } = await client.request<VerificationSettings>('PUT', settingsPath(client, agent.id), { body });
      if (globalOptions(command).json) return printJson(saved);
      printLine(formatFields(settingsFields(agent, saved)));
    });
  examples(set, 'coffer verification set web-1 --schedule "daily 03:00" --tz UTC --subsets 7', 'coffer verification set web-1 --disable');

  const clear = verification
    .command('clear')
    .description("Remove an agent's verification schedule: no more scheduled runs, runs on request read every pack")
    .argument('<agent>', 'agent id, name or id prefix')
    .action(async (ref: string, _options: unknown, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const agent = await resolveAgent(client, ref);
      const { body: saved } = await client.request<VerificationSettings>('PUT', settingsPath(client, agent.id), { body: { enabled: false, schedule: null, read_data_subsets: 1 } });
      if (globalOptions(command).json) return printJson(saved);
      printLine(`Cleared the verification schedule of ${agent.name}.`);
    });
  examples(clear, 'coffer verification clear web-1');

  const run = verification
    .command('run')
    .description("Verify an agent's vault now: the next subset in turn (every pack without a schedule)")
    .argument('<agent>', 'agent id, name or id prefix')
    .option('--watch', 'wait for the run to end (exit 0 passed, 1 failed)')
    .action(async (ref: string, options: { watch?: boolean }, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const agent = await resolveAgent(client, ref);
      let { body: current } = await client.post(client.v2('agents', agent.id, 'verification', 'actions', 'run'));
      const json = globalOptions(command).json;
      if (!json) printLine(`Started verification run ${current.id} of ${agent.name}, subset ${current.read_data_subset}.`);
      if (options.watch) {
        let seen = current.state;
        while (!isOneOf(VERIFICATION_TERMINAL, current.state)) {
          await new Promise((resolve) => setTimeout(resolve, WATCH_INTERVAL_MS));
          current = (await client.get(client.v2('verifications', current.id))).body;
          if (!json && current.state !== seen) printLine(`verification ${paintState(current.state)}`);
          seen = current.state;
        }
        process.exitCode = current.state === VerificationRunState.passed ? 0 : 1;
      }
      if (json) return printJson(current);
      if (options.watch) printRun(current);
      else printLine(`Follow it with: coffer verification result ${current.id}`);
    });
  examples(run, 'coffer verification run web-1 --watch');

  const runs = verification
    .command('runs')
    .description("An agent's verification runs, newest first")
    .argument('<agent>', 'agent id, name or id prefix')
    .option('--limit <n>', 'how many (default 20)', positiveInteger('--limit'), 20)
    .action(async (ref: string, options: { limit: number }, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const agent = await resolveAgent(client, ref);
      const list = await recentRuns(client, agent.id, options.limit);
      if (globalOptions(command).json) return printJson({ verification_runs: list });
      printLine(list.length === 0 ? 'No verification runs yet.' : runsTable(list));
    });
  examples(runs, 'coffer verification runs web-1 --limit 5');

  const result = verification
    .command('result')
    .description('One verification run: what it read and the damage it found')
    .argument('<run>', 'verification run id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const { body } = await client.get(client.v2('verifications', id));
      if (globalOptions(command).json) return printJson(body);
      printRun(body);
    });
  examples(result, 'coffer verification result 0c6f6a0e-9f2d-4d55-a2a7-0d6a4b9d8c11');
}
