import { InvalidArgumentError, type Command } from 'commander';
import { ApiClient } from '../client/api-client.js';
import { examples, globalOptions } from '../client/command-kit.js';
import { UsageError } from '../client/errors.js';
import { formatFields, printJson, printLine } from '../client/output.js';
import { formatBytes } from '../../terminal/units.js';
import { resolveAgent } from '../client/resolve.js';

interface Quota {
  limits: { bytes: number | null; files: number | null };
  usage: { bytes: number; files: number };
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9, t: 1e12, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };

// Commander keeps no null from an option parser, so "unlimited" stays a word until the body is built.
type Limit = number | 'unlimited';
const limitValue = (limit: Limit | undefined) => (limit === 'unlimited' ? null : limit);

/** `unlimited`, or a size such as 500, 20GB, 1.5TiB. */
export function parseByteLimit(value: string): Limit {
  if (value === 'unlimited') return value;
  const [, amount, suffix] = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim()) ?? [];
  const unit = suffix === undefined ? undefined : SIZE_UNITS[suffix.toLowerCase()];
  const bytes = amount !== undefined && unit !== undefined ? Math.round(Number(amount) * unit) : NaN;
  if (!Number.isSafeInteger(bytes)) throw new InvalidArgumentError('give a size such as 500MB, 20GB or 1TiB, or "unlimited".');
  return bytes;
}

function parseFileLimit(value: string): Limit {
  if (value === 'unlimited') return value;
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('give a whole number of files, or "unlimited".');
  return Number(value);
}

const describe = (used: number, limit: number | null, format: (n: number) => string) => `${format(used)} of ${limit === null ? 'unlimited' : format(limit)}`;

function quotaFields(quota: Quota): [string, string][] {
  return [
    ['bytes', describe(quota.usage.bytes, quota.limits.bytes, formatBytes)],
    ['files', describe(quota.usage.files, quota.limits.files, String)],
  ];
}

export function registerQuotaCommands(program: Command): void {
  const quota = examples(
    program.command('quota').description('Vault usage and limits of the project or of one agent'),
    'coffer quota',
    'coffer quota show web-1',
    'coffer quota set --agent web-1 --bytes 50GB --files 100000',
  );

  const show = quota
    .command('show', { isDefault: true })
    .description("Show the project's vault usage and limits, or one agent's")
    .argument('[agent]', 'agent id, name or id prefix')
    .action(async (ref: string | undefined, _options: unknown, command: Command) => {
      const client = ApiClient.fromStoredSession();
      if (!ref) {
        const { body } = await client.get<Quota & { project_id: string }>(client.v2('quota'));
        if (globalOptions(command).json) return printJson(body);
        return printLine(formatFields([['project', body.project_id], ...quotaFields(body)]));
      }
      const agent = await resolveAgent(client, ref);
      const { body } = await client.get<Quota & { project: Quota & { project_id: string } }>(client.v2('agents', agent.id, 'quota'));
      if (globalOptions(command).json) return printJson(body);
      printLine(
        formatFields([
          ['agent', `${agent.name} (${agent.id})`],
          ...quotaFields(body),
          ['project', body.project.project_id],
          ...quotaFields(body.project).map(([k, v]) => [`project ${k}`, v] as [string, string]),
        ]),
      );
    });
  examples(show, 'coffer quota', 'coffer quota show web-1 --json');

  const set = quota
    .command('set')
    .description("Set vault limits: an agent's (project admin) or the project's (server administrator)")
    .option('--agent <agent>', 'set the limits of this agent instead of the whole project')
    .option('--bytes <size>', 'largest total size, e.g. 500GB, 2TiB, or "unlimited"', parseByteLimit)
    .option('--files <count>', 'most files in the vault, or "unlimited"', parseFileLimit)
    .action(async (options: { agent?: string; bytes?: Limit; files?: Limit }, command: Command) => {
      if (options.bytes === undefined && options.files === undefined) throw new UsageError('give --bytes and/or --files');
      const client = ApiClient.fromStoredSession();
      const body = { ...(options.bytes !== undefined ? { bytes: limitValue(options.bytes) } : {}), ...(options.files !== undefined ? { files: limitValue(options.files) } : {}) };
      const path = options.agent ? client.v2('agents', (await resolveAgent(client, options.agent)).id, 'quota') : client.v2('quota');
      const { body: updated } = await client.request<Quota>('PUT', path, { body });
      if (globalOptions(command).json) return printJson(updated);
      printLine(formatFields(quotaFields(updated)));
    });
  examples(set, 'coffer quota set --bytes 1TB', 'coffer quota set --agent web-1 --files unlimited');
}
