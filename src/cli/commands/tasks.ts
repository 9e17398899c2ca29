import type { Command } from 'commander';
import { ApiClient } from '../client/api-client.js';
import { examples, globalOptions, positiveInteger } from '../client/command-kit.js';
import { UsageError } from '../client/errors.js';
import { expandJobId } from '../client/job-kinds.js';
import { reportStartedJob } from '../client/job-start.js';
import { taskOutputText } from '../client/job-watch.js';
import { formatFields, formatTable, formatTime, paintState, printJson, printLine } from '../client/output.js';
import { agentNames, resolveAgent } from '../client/resolve.js';

/** Arguments after `--` become one shell command line; a single argument is taken as written. */
export function commandLine(words: string[]): string {
  const [first, ...others] = words;
  if (first !== undefined && others.length === 0) return first;
  return words.map((word) => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** `env=prod tier=web old-` → `{env: 'prod', tier: 'web', old: null}` (a trailing `-` removes the key). */
export function metadataChanges(pairs: string[], what: string): Record<string, string | null> {
  if (pairs.length === 0) throw new UsageError(`give at least one ${what} as key=value (or key- to remove it)`);
  const changes: Record<string, string | null> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at > 0) changes[pair.slice(0, at)] = pair.slice(at + 1);
    else if (pair.endsWith('-') && pair.length > 1) changes[pair.slice(0, -1)] = null;
    else throw new UsageError(`"${pair}" is not key=value or key-`);
  }
  return changes;
}

function labelText(labels: Record<string, string> | undefined): string {
  return Object.entries(labels ?? {})
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

export function registerTasksCommands(program: Command): void {
  const tasks = examples(
    program.command('tasks').description('One-off commands run by an agent on its host (Cloud Foundry V3-style tasks)'),
    'coffer tasks run web-1 --label env=prod -- uptime',
    "coffer tasks --selector 'env=prod'",
  );

  const list = tasks
    .command('list', { isDefault: true })
    .description('List tasks, newest first')
    .option('--selector <selector>', "label selector, e.g. 'env=prod,tier in (a,b),!canary'")
    .option('--state <states>', 'only these states: PENDING, RUNNING, CANCELING, SUCCEEDED, FAILED (comma-separated)')
    .option('--agent <agent>', 'only the tasks of this agent')
    .option('--limit <n>', 'how many (default 50)', positiveInteger('--limit'), 50)
    .action(async (options: { selector?: string; state?: string; agent?: string; limit: number }, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const agent = options.agent ? await resolveAgent(client, options.agent) : undefined;
      const path = agent ? client.v3('agents', agent.id, 'tasks') : client.v3('tasks');
      const { body } = await client.get<{ resources: any[] }>(path, {
        query: { label_selector: options.selector, states: options.state?.toUpperCase(), per_page: options.limit, order_by: '-created_at' },
      });
      if (globalOptions(command).json) return printJson(body);
      if (body.resources.length === 0) return printLine('No tasks.');
      const names = await agentNames(client);
      printLine(
        formatTable(body.resources, [
          { header: 'ID', value: (t) => t.guid.slice(0, 8), keep: true },
          { header: 'NAME', value: (t) => t.name },
          { header: 'STATE', value: (t) => paintState(t.state) },
          { header: 'AGENT', value: (t) => names.get(t.relationships?.agent?.data?.guid) ?? '-' },
          { header: 'LABELS', value: (t) => labelText(t.metadata?.labels) || '-' },
        ]),
      );
    });
  examples(list, "coffer tasks --selector 'env=prod,tier in (a,b)'", 'coffer tasks --state RUNNING,PENDING --json');

  const run = tasks
    .command('run')
    .description('Run a command on an agent')
    .argument('<agent>', 'agent id, name or id prefix')
    .argument('<command...>', 'the command, after --')
    .option('--name <name>', 'a name for the task')
    .option('--memory <mb>', 'memory limit in MB (default 1024)', positiveInteger('--memory'))
    .option('--disk <mb>', 'disk limit in MB (default 1024)', positiveInteger('--disk'))
    .option('--label <key=value>', 'a label to find it by later (repeatable)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--watch', 'wait for the task to end and print its output (exit 0 succeeded, 1 failed)')
    .action(async (ref: string, words: string[], options: { name?: string; memory?: number; disk?: number; label?: string[]; watch?: boolean }, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const agent = await resolveAgent(client, ref);
      const body: Record<string, unknown> = { command: commandLine(words) };
      if (options.name) body.name = options.name;
      if (options.memory) body.memory_in_mb = options.memory;
      if (options.disk) body.disk_in_mb = options.disk;
      if (options.label) body.metadata = { labels: metadataChanges(options.label, 'label') };
      const { body: task } = await client.post(client.v3('agents', agent.id, 'tasks'), body);
      await reportStartedJob(client, 'task', task, { json: globalOptions(command).json, watch: options.watch });
    });
  examples(run, 'coffer tasks run web-1 --name disk-usage --label env=prod -- du -sh /var/www', 'coffer tasks run web-1 --watch -- sh -c "pg_dump app > /backup/app.sql"');

  const show = tasks
    .command('show')
    .description('Details of a task')
    .argument('<task>', 'task id or a unique prefix of it')
    .action(async (id: string, _options: unknown, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const { body: task } = await client.get(client.v3('tasks', await expandJobId(client, id, 'task')));
      if (globalOptions(command).json) return printJson(task);
      const agentId = task.relationships?.agent?.data?.guid;
      const agentName = (await agentNames(client)).get(agentId);
      printLine(
        formatFields([
          ['id', task.guid],
          ['name', task.name],
          ['state', paintState(task.state)],
          ['sequence', String(task.sequence_id)],
          ['command', task.command ?? '(hidden)'],
          ['agent', agentName ? `${agentName} (${agentId})` : (agentId ?? '-')],
          ['memory', `${task.memory_in_mb} MB`],
          ['disk', `${task.disk_in_mb} MB`],
          ['failure', task.result?.failure_reason ?? '-'],
          ['labels', labelText(task.metadata?.labels) || '-'],
          ['annotations', labelText(task.metadata?.annotations) || '-'],
          ['created', formatTime(task.created_at)],
          ['updated', formatTime(task.updated_at)],
        ]),
      );
    });
  examples(show, 'coffer tasks show d5cc22ec-99a3-4e6a-af91-a44b4ab7b6fa');

  const cancel = tasks
    .command('cancel')
    .description('Cancel a pending or running task')
    .argument('<task>', 'task id or a unique prefix of it')
    .action(async (id: string, _options: unknown, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const { body: task } = await client.post(client.v3('tasks', await expandJobId(client, id, 'task'), 'actions', 'cancel'));
      if (globalOptions(command).json) return printJson(task);
      printLine(`Task ${task.name} (${task.guid}) is ${task.state}.`);
    });
  examples(cancel, 'coffer tasks cancel d5cc22ec-99a3-4e6a-af91-a44b4ab7b6fa');

  for (const [name, field] of [
    ['label', 'labels'],
    ['annotate', 'annotations'],
  ] as const) {
    const cmd = tasks
      .command(name)
      .description(`Set or remove ${field} of a task (key=value sets, key- removes)`)
      .argument('<task>', 'task id or a unique prefix of it')
      .argument('<changes...>', 'key=value or key-')
      .action(async (id: string, pairs: string[], _options: unknown, command: Command) => {
        const client = ApiClient.fromStoredSession();
        const { body: task } = await client.request('PATCH', client.v3('tasks', await expandJobId(client, id, 'task')), {
          body: { metadata: { [field]: metadataChanges(pairs, name === 'label' ? 'label' : 'annotation') } },
        });
        if (globalOptions(command).json) return printJson(task);
        printLine(`Task ${task.name} ${field}: ${labelText(task.metadata?.[field]) || '(none)'}`);
      });
    examples(cmd, name === 'label' ? 'coffer tasks label d5cc22ec… env=prod tier=web old-' : 'coffer tasks annotate d5cc22ec… ticket=OPS-42');
  }

  const output = tasks
    .command('output')
    .description('What the task printed (the last part the server keeps)')
    .argument('<task>', 'task id or a unique prefix of it')
    .action(async (id: string, _options: unknown, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const response = await client.get(client.v3('tasks', await expandJobId(client, id, 'task'), 'output'), { text: true });
      if (globalOptions(command).json) {
        try {
          return printJson(JSON.parse(response.body as string));
        } catch {
          return printJson({ output: response.body });
        }
      }
      process.stdout.write(taskOutputText(response.body as string));
    });
  examples(output, 'coffer tasks output d5cc22ec-99a3-4e6a-af91-a44b4ab7b6fa');
}
