import { get, v2 } from './api.js';
import { jobHref } from './data.js';
import { h, shortId, table, when } from './dom.js';

/** The keep rules beside `days`, as the form shows them: [field, label, hint]. */
export const KEEP_RULES = [
  ['keep_last', 'Keep the newest', 'backups'],
  ['keep_hourly', 'Keep hourly', 'hours with a backup'],
  ['keep_daily', 'Keep daily', 'days with a backup'],
  ['keep_weekly', 'Keep weekly', 'weeks (Monday to Sunday)'],
  ['keep_monthly', 'Keep monthly', 'months'],
  ['keep_yearly', 'Keep yearly', 'years'],
];

/** The `retention` object from the form's fields: days, each count that is set, and keep_within when given. */
export function retentionFromForm(data) {
  const retention = { days: Number(data.get('retention')) };
  for (const [field] of KEEP_RULES) {
    const raw = String(data.get(field) ?? '').trim();
    if (raw !== '') retention[field] = Number(raw);
  }
  const within = String(data.get('keep_within') ?? '').trim();
  if (within !== '') retention.keep_within = within;
  return retention;
}

function describeReason(reason) {
  return `${reason.rule.replace(/_/g, ' ')}${reason.bucket ? ` ${reason.bucket}` : ''}${reason.oldest ? ' (oldest)' : ''}`;
}

/** The dry run of a stored configuration: each backup with "keep" and the rules that keep it, or "go". */
export async function retentionPanel(configuration) {
  const plan = await get(v2('configurations', configuration.id, 'retention'));
  const rows = [...plan.keep.map((entry) => ({ ...entry, verdict: 'keep' })), ...plan.remove.map((entry) => ({ ...entry, verdict: 'go', reasons: [] }))].sort((a, b) =>
    String(b.time).localeCompare(String(a.time)),
  );
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'retention-heading' },
    h('h2', { id: 'retention-heading' }, 'What the retention policy keeps'),
    h(
      'p',
      { class: 'muted' },
      `${plan.keep.length} kept, ${plan.remove.length} to go at the next cleanup (time zone ${plan.time_zone}, judged ${when(plan.evaluated_time)}).`,
    ),
    table(
      [
        { label: 'Verdict', cell: (row) => h('span', { class: `state ${row.verdict === 'keep' ? 'ok' : 'bad'}` }, row.verdict) },
        { label: 'Backup', cell: (row) => h('a', { href: jobHref('backup', row.backup.id) }, shortId(row.backup.id)) },
        { label: 'Snapshot', class: 'opt', cell: (row) => String(row.snapshot_id) },
        { label: 'Time', cell: (row) => when(row.time) },
        { label: 'Kept by', cell: (row) => row.reasons.map(describeReason).join(', ') || '–' },
      ],
      rows,
      'No restorable backups yet.',
    ),
  );
}
