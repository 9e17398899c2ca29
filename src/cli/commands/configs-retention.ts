import type { Command } from 'commander';
import { ApiClient } from '../client/api-client.js';
import { examples, globalOptions, nonNegativeInteger } from '../client/command-kit.js';
import { formatTable, formatTime, paint, printJson, printLine } from '../client/output.js';
import { resolveConfiguration } from '../client/resolve.js';

interface RetentionFlags {
  days?: number;
  keepLast?: number;
  keepHourly?: number;
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
  keepYearly?: number;
  keepWithin?: string;
  dryRun?: boolean;
}

/** Flag → the `retention` field it sets. */
const FIELDS: [keyof RetentionFlags, string][] = [
  ['days', 'days'],
  ['keepLast', 'keep_last'],
  ['keepHourly', 'keep_hourly'],
  ['keepDaily', 'keep_daily'],
  ['keepWeekly', 'keep_weekly'],
  ['keepMonthly', 'keep_monthly'],
  ['keepYearly', 'keep_yearly'],
  ['keepWithin', 'keep_within'],
];

interface Reason {
  rule: string;
  bucket?: string;
  oldest?: boolean;
}

/** `keep_daily 2026-06-10`, `keep_last`, `keep_weekly 2026-W23 (oldest)`, `days`. */
export function describeReason(reason: Reason): string {
  return `${reason.rule}${reason.bucket ? ` ${reason.bucket}` : ''}${reason.oldest ? ' (oldest)' : ''}`;
}

/** `30 days` / `keep_last 3, keep_daily 7` / `forever`, as `configs show` prints a policy. */
export function describeRetention(retention: Record<string, unknown> | undefined): string {
  const rules = Object.entries(retention ?? {}).filter(([key, value]) => key !== 'days' && value !== undefined);
  const days = Number(retention?.days ?? 0);
  const parts = [...(days > 0 ? [`${days} days`] : []), ...rules.map(([key, value]) => `${key} ${value}`)];
  return parts.length > 0 ? parts.join(', ') : 'forever';
}

export function registerConfigsRetentionCommand(configs: Command): void {
  const retention = configs
    .command('retention')
    .description('Show or set which backups a configuration keeps; --dry-run lists which backups stay (and why) and which go')
    .argument('<config>', 'configuration id, name or id prefix')
    .option('--days <n>', 'keep each backup n days (0: no age limit; alone, keeps forever)', nonNegativeInteger('--days'))
    .option('--keep-last <n>', 'keep the n newest backups', nonNegativeInteger('--keep-last'))
    .option('--keep-hourly <n>', 'keep the newest backup of each of the last n hours that have one', nonNegativeInteger('--keep-hourly'))
    .option('--keep-daily <n>', 'the same per day (in the schedule time zone)', nonNegativeInteger('--keep-daily'))
    .option('--keep-weekly <n>', 'the same per week (Monday to Sunday)', nonNegativeInteger('--keep-weekly'))
    .option('--keep-monthly <n>', 'the same per month', nonNegativeInteger('--keep-monthly'))
    .option('--keep-yearly <n>', 'the same per year', nonNegativeInteger('--keep-yearly'))
    .option('--keep-within <duration>', 'keep everything this long before the newest backup, e.g. 7d, 1y6m, 2y5m7d3h')
    .option('--dry-run', 'change nothing: list what the policy (with any rules given here) keeps and lets go')
    .action(async (ref: string, options: RetentionFlags, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const found = await resolveConfiguration(client, ref);
      const given = FIELDS.filter(([flag]) => options[flag] !== undefined).map(([flag, field]) => [field, options[flag]] as const);
      if (options.dryRun) {
        const { body } = await client.get(client.v2('configurations', found.id, 'retention'), { query: Object.fromEntries(given) as Record<string, string | number> });
        if (globalOptions(command).json) return printJson(body);
        return printPlan(found.name, body);
      }
      if (given.length > 0) {
        await client.patch(
          client.v2('configurations', found.id),
          given.map(([field, value]) => ({ op: 'replace', path: `/retention/${field}`, value })),
        );
      }
      const { body: config } = await client.get(client.v2('configurations', found.id));
      if (globalOptions(command).json) return printJson(config.retention);
      printLine(`Retention of ${config.name}: ${describeRetention(config.retention)}.`);
      if (given.length === 0) printLine(`See what it keeps: coffer configs retention ${JSON.stringify(config.name)} --dry-run`);
    });
  examples(
    retention,
    'coffer configs retention "Web files" --dry-run',
    'coffer configs retention "Web files" --keep-daily 7 --keep-weekly 4 --keep-monthly 12 --dry-run',
    'coffer configs retention "Web files" --days 0 --keep-daily 7 --keep-weekly 4 --keep-monthly 12',
  );
}

function printPlan(name: string, plan: any): void {
  printLine(`Retention of ${name}: ${describeRetention(plan.retention)} (time zone ${plan.time_zone}, judged ${formatTime(plan.evaluated_time)}).`);
  const rows = [
    ...plan.keep.map((entry: any) => ({ verdict: paint('keep', 'green'), entry, why: entry.reasons.map(describeReason).join(', ') })),
    ...plan.remove.map((entry: any) => ({ verdict: paint('go', 'red'), entry, why: '' })),
  ].sort((a, b) => String(b.entry.time).localeCompare(String(a.entry.time)));
  if (rows.length === 0) return printLine('No restorable backups yet.');
  printLine(
    formatTable(rows, [
      { header: 'VERDICT', value: (row) => row.verdict, keep: true },
      { header: 'BACKUP', value: (row) => row.entry.backup.id.slice(0, 8), keep: true },
      { header: 'SNAPSHOT', value: (row) => String(row.entry.snapshot_id), align: 'right' },
      { header: 'TIME', value: (row) => formatTime(row.entry.time), keep: true },
      { header: 'KEPT BY', value: (row) => row.why },
    ]),
  );
  printLine(`${plan.keep.length} kept, ${plan.remove.length} to go at the next cleanup.`);
}
