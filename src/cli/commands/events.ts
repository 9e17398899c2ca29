import type { Command } from 'commander';
import { ApiClient } from '../client/api-client.js';
import { examples, globalOptions, positiveInteger } from '../client/command-kit.js';
import { formatTime, paint, printJson, printLine } from '../client/output.js';
import { resolveAgent } from '../client/resolve.js';

/** One line per event: time, name, then the ids and numbers it carries. */
export function describeEvent(event: Record<string, any>): string {
  const refs: string[] = [];
  for (const key of ['agent', 'configuration', 'backup', 'restore', 'cleanup', 'task', 'logfile']) {
    const id = event[key]?.id ?? event[key]?.guid;
    if (typeof id === 'string') refs.push(`${key}=${id.slice(0, 8)}`);
  }
  for (const key of ['bytes_completed', 'total_bytes', 'mode']) {
    if (event[key] !== undefined && event[key] !== null) refs.push(`${key}=${event[key]}`);
  }
  // A request id that only repeats the job's id says nothing new.
  if (typeof event.request_id === 'string' && !refs.some((ref) => ref.endsWith(`=${event.request_id.slice(0, 8)}`))) refs.push(`request=${event.request_id.slice(0, 8)}`);
  return `${paint(formatTime(event.time), 'dim')}  ${event.event}  ${refs.join(' ')}`.trimEnd();
}

export function registerEventsCommand(program: Command): void {
  const events = program
    .command('events')
    .description("The project's event stream (job state changes, progress, agent start-up…)")
    .option('--agent <agent>', 'only the events of this agent')
    .option('--limit <n>', 'how many recent events to show first (default 20)', positiveInteger('--limit'), 20)
    .option('-f, --follow', 'keep printing new events as they happen (Ctrl-C to end)')
    .action(async (options: { agent?: string; limit: number; follow?: boolean }, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const json = globalOptions(command).json;
      const agent = options.agent ? await resolveAgent(client, options.agent) : undefined;
      const path = agent ? client.v2('agents', agent.id, 'events') : client.v2('events');
      // Newest first, then printed oldest first.
      const { body } = await client.get<{ events: any[] }>(path, { query: { sort_dir: 'desc', limit: options.limit } });
      const recent = [...body.events].reverse();
      const print = (event: any) => (json ? void process.stdout.write(`${JSON.stringify(event)}\n`) : printLine(describeEvent(event)));
      if (!options.follow && json) return printJson({ events: recent });
      recent.forEach(print);
      if (!options.follow) return;
      let marker: string | undefined = recent.length > 0 ? String(recent[recent.length - 1].id) : undefined;
      // Ctrl-C ends the follow at once, also in the middle of a long poll.
      const abort = new AbortController();
      process.once('SIGINT', () => abort.abort());
      while (!abort.signal.aborted) {
        let page: { events: any[] };
        try {
          // A long poll: the server answers as soon as there is an event, or after `wait` seconds with none.
          page = (await client.get<{ events: any[] }>(path, { query: { marker, sort_dir: 'asc', limit: 1000, wait: 20 }, signal: abort.signal })).body;
        } catch (error) {
          if (abort.signal.aborted) break;
          throw error;
        }
        for (const event of page.events) {
          print(event);
          marker = String(event.id);
        }
      }
    });
  examples(events, 'coffer events', 'coffer events --follow', 'coffer events --agent web-1 --json --follow  # one JSON object per line');
}
