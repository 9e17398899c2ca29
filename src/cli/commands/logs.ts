import fs from 'node:fs';
import type { Command } from 'commander';
import { ApiClient } from '../client/api-client.js';
import { examples, globalOptions } from '../client/command-kit.js';
import { UsageError } from '../client/errors.js';
import { ApiError } from '../../net/api-error.js';
import { formatShortTime, formatTable, paintState, printJson, printLine } from '../client/output.js';
import { resolveAgent } from '../client/resolve.js';
import { LogfileState } from '../../domain/job-states.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function downloadLink(logfile: { links?: { href: string; rel: string }[] }): string | undefined {
  const links = logfile.links ?? [];
  return (links.find((l) => l.rel === 'logfile_temp_url') ?? links.find((l) => l.rel === 'logfile'))?.href;
}

export function registerLogsCommand(program: Command): void {
  const logs = program
    .command('logs')
    .description("An agent's log files: list them, ask the agent to upload one, download it")
    .argument('<agent>', 'agent id, name or id prefix')
    .option('--request', 'ask the agent to upload its current log')
    .option('--download', 'download the newest uploaded log (asks for one and waits when there is none)')
    .option('-o, --output <file>', 'where --download writes (default: <agent>-<date>.log.gz; - for standard output)')
    .option('--timeout <seconds>', 'how long --download waits for the agent (default 120)', '120')
    .action(async (ref: string, options: { request?: boolean; download?: boolean; output?: string; timeout: string }, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const json = globalOptions(command).json;
      const agent = await resolveAgent(client, ref);
      const list = async () => (await client.get<{ logfiles: any[] }>(client.v2('agents', agent.id, 'logfiles'))).body.logfiles;
      if (options.request && !options.download) {
        const { body } = await client.post(client.v2('agents', agent.id, 'logfiles'));
        if (json) return printJson(body);
        return printLine(`Asked ${agent.name} for its log (${body.id}); download it with: coffer logs ${agent.name} --download`);
      }
      if (!options.download) {
        const files = await list();
        if (json) return printJson({ logfiles: files });
        if (files.length === 0) return printLine(`No log files of ${agent.name} yet. Ask for one with: coffer logs ${agent.name} --request`);
        return printLine(
          formatTable(files, [
            { header: 'ID', value: (f) => f.id, keep: true },
            { header: 'REQUESTED', value: (f) => formatShortTime(f.date) },
            { header: 'STATE', value: (f) => paintState(f.state) },
          ]),
        );
      }
      const timeoutMs = Number(options.timeout) * 1000;
      if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new UsageError('--timeout must be a number of seconds');
      let wanted: string | undefined;
      if (options.request) wanted = (await client.post(client.v2('agents', agent.id, 'logfiles'))).body.id;
      const deadline = Date.now() + timeoutMs;
      let logfile: any;
      for (;;) {
        const files = await list();
        const candidates = files.filter((f) => f.state === LogfileState.completed && downloadLink(f) && (!wanted || f.id === wanted));
        logfile = candidates.sort((a, b) => String(b.date).localeCompare(String(a.date)))[0];
        if (logfile) break;
        if (!wanted) {
          const pending = files.find((f) => f.state !== LogfileState.completed);
          wanted = pending?.id ?? (await client.post(client.v2('agents', agent.id, 'logfiles'))).body.id;
          if (!json) process.stderr.write(`Waiting for ${agent.name} to upload its log…\n`);
        }
        if (Date.now() > deadline) throw new ApiError(0, `${agent.name} did not upload its log within ${options.timeout}s; is it online? (coffer agents)`);
        await sleep(1000);
      }
      const response = await client.fetchRaw(downloadLink(logfile)!);
      if (!response.ok) throw new ApiError(response.status, `downloading the log failed (HTTP ${response.status})`);
      const data = Buffer.from(await response.arrayBuffer());
      const target = options.output ?? `${agent.name.replace(/[^A-Za-z0-9._-]+/g, '_')}-${String(logfile.date).slice(0, 19).replace(/:/g, '-')}.log.gz`;
      if (target === '-') return void process.stdout.write(data);
      fs.writeFileSync(target, data);
      if (json) return printJson({ ...logfile, file: target, bytes: data.length });
      printLine(`Saved ${agent.name}'s log (${data.length} bytes) to ${target}.`);
    });
  examples(logs, 'coffer logs web-1', 'coffer logs web-1 --request', 'coffer logs web-1 --download -o web-1.log.gz');
}
