import { del, get, may, patch, post, v2 } from '../api.js';
import { backupNowButton, backupNowColumn } from '../backup-now.js';
import { configurations, jobHref } from '../data.js';
import { clear, errorBox, flash, h, stateBadge, table, when } from '../dom.js';
import { KEEP_RULES, retentionFromForm, retentionPanel } from '../retention.js';
import { exclusionsToText, textToExclusions } from '../exclusion-text.js';
import { DAYS, buildRule, describeSchedule, parseRule } from '../schedule.js';

export async function configurationsPage(main) {
  const [items, { agents }] = await Promise.all([configurations(), get(v2('agents'))]);
  const agentName = (id) => agents.find((a) => a.id === id)?.name ?? id;
  clear(
    main,
    h('div', { class: 'spread' }, h('h1', {}, 'Configurations'), may('creator') ? h('a', { class: 'button', href: '#/configurations/new' }, 'New configuration') : null),
    table(
      [
        { label: 'Name', cell: (c) => h('a', { href: `#/configurations/${encodeURIComponent(c.id)}` }, c.name) },
        { label: 'Agent', cell: (c) => agentName(c.agent?.id) },
        { label: 'Schedule', cell: (c) => (c.enabled ? describeSchedule(c.schedule) : stateBadge('disabled')) },
        { label: 'Next backup', class: 'opt', cell: (c) => when(c.backups?.next?.scheduled_time) },
        {
          label: 'Last completed',
          class: 'opt',
          cell: (c) => (c.backups?.last_completed ? h('a', { href: jobHref('backup', c.backups.last_completed.id) }, 'view') : '–'),
        },
        backupNowColumn,
      ],
      items,
      'No configurations yet.',
    ),
  );
}

/** Bandwidth in the form: MB/s (10^6 bytes), empty for no limit of the configuration's own. */
const rateToText = (bytesPerSecond) => (bytesPerSecond == null ? '' : String(bytesPerSecond / 1e6));
const textToRate = (text) => (String(text ?? '').trim() === '' ? null : Math.round(Number(text) * 1e6));

const pathsToText = (items) => (items ?? []).map((item) => (item.type === 'file' ? `file:${item.path}` : item.path)).join('\n');
const textToPaths = (text) =>
  String(text)
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => (line.startsWith('file:') ? { type: 'file', path: line.slice(5) } : { type: 'folder', path: line.endsWith('/') ? line : `${line}/` }));

function field(id, label, control, hint) {
  return h('div', { class: 'field' }, h('label', { for: id }, label, hint ? h('span', { class: 'hint' }, ` ${hint}`) : null), control);
}

function timeZones() {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return ['UTC'];
  }
}

/** Create (id undefined) or edit a configuration; the server's messages are shown as they come. */
export async function configurationFormPage(main, id, params) {
  const [{ agents }, existing] = await Promise.all([get(v2('agents')), id ? get(v2('configurations', id)) : Promise.resolve(undefined)]);
  const editable = may('creator') && !existing?.deleted;
  const schedule = existing?.schedule ?? null;
  const rule = schedule ? parseRule(schedule.recurrence?.[0]) : { freq: 'DAILY', interval: 1, days: ['MO'], hour: 2, minute: 0 };
  const kind = schedule ? rule.freq : 'MANUAL';
  const pad = (n) => String(n ?? 0).padStart(2, '0');
  const problem = h('div');
  const zone = schedule?.time_zone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';

  const form = h(
    'form',
    { class: 'panel', novalidate: true },
    problem,
    h(
      'div',
      { class: 'grid2' },
      field('cfg-name', 'Name', h('input', { id: 'cfg-name', name: 'name', required: true, value: existing?.name ?? '' })),
      field(
        'cfg-agent',
        'Agent',
        h(
          'select',
          { id: 'cfg-agent', name: 'agent', required: true, disabled: Boolean(existing) },
          agents.map((a) => h('option', { value: a.id, selected: (existing?.agent?.id ?? params?.get('agent')) === a.id }, a.name)),
        ),
        existing ? '(fixed once created)' : '',
      ),
    ),
    h('div', { class: 'field inline' }, h('input', { id: 'cfg-enabled', name: 'enabled', type: 'checkbox', checked: existing ? existing.enabled : true }), h('label', { for: 'cfg-enabled' }, 'Enabled')),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Schedule'),
      h(
        'div',
        { class: 'grid2' },
        field(
          'cfg-freq',
          'Repeat',
          h(
            'select',
            { id: 'cfg-freq', name: 'freq' },
            [
              ['MANUAL', 'Only when started by hand'],
              ['HOURLY', 'Every N hours'],
              ['DAILY', 'Every N days'],
              ['WEEKLY', 'Every N weeks'],
            ].map(([value, text]) => h('option', { value, selected: kind === value }, text)),
          ),
        ),
        field('cfg-interval', 'N (interval)', h('input', { id: 'cfg-interval', name: 'interval', type: 'number', min: 1, value: rule.interval })),
        field('cfg-time', 'At (time of day)', h('input', { id: 'cfg-time', name: 'time', type: 'time', value: `${pad(rule.hour)}:${pad(rule.minute)}` }), '(daily and weekly)'),
        field(
          'cfg-tz',
          'Time zone',
          h('input', { id: 'cfg-tz', name: 'tz', list: 'zones', value: zone, autocomplete: 'off' }),
          '(IANA, e.g. Europe/Berlin)',
        ),
      ),
      h('datalist', { id: 'zones' }, timeZones().map((z) => h('option', { value: z }))),
      h(
        'fieldset',
        {},
        h('legend', {}, 'Days (weekly)'),
        h('div', { class: 'days' }, DAYS.map(([code, name]) => h('label', {}, h('input', { type: 'checkbox', name: 'day', value: code, checked: rule.days.includes(code) }), ` ${name}`))),
      ),
    ),
    h(
      'div',
      { class: 'grid2' },
      field('cfg-include', 'Back up these folders', h('textarea', { id: 'cfg-include', name: 'include' }, pathsToText(existing?.inclusions)), '(one per line; file:/path for one file)'),
      field(
        'cfg-exclude',
        'Leave out',
        h('textarea', { id: 'cfg-exclude', name: 'exclude' }, exclusionsToText(existing?.exclusions)),
        '(one per line: a folder under an included one, file:/path, a pattern such as *.log or **/node_modules, ignore-case:*.TMP, if-present:.nobackup, exclude-caches, larger-than:500M, one-file-system)',
      ),
      field(
        'cfg-email',
        'E-mail when a backup fails',
        h('input', { id: 'cfg-email', name: 'email', type: 'text', value: (existing?.notifications ?? []).map((n) => n.destination).join(', ') }),
        '(comma-separated)',
      ),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Retention'),
      h(
        'div',
        { class: 'grid2' },
        field('cfg-retention', 'Keep backups for (days)', h('input', { id: 'cfg-retention', name: 'retention', type: 'number', min: 0, value: existing?.retention?.days ?? 30 }), '(0: no age limit; alone, keeps forever)'),
        KEEP_RULES.map(([name, label, hint]) =>
          field(`cfg-${name}`, label, h('input', { id: `cfg-${name}`, name, type: 'number', min: 0, value: existing?.retention?.[name] ?? '' }), `(${hint})`),
        ),
        field('cfg-keep_within', 'Keep everything within', h('input', { id: 'cfg-keep_within', name: 'keep_within', value: existing?.retention?.keep_within ?? '' }), '(before the newest backup, e.g. 7d, 1y6m)'),
      ),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Bandwidth'),
      h(
        'div',
        { class: 'grid2' },
        field('cfg-upload', 'Upload limit (MB/s)', h('input', { id: 'cfg-upload', name: 'upload', type: 'number', min: 0.001024, step: 'any', value: rateToText(existing?.bandwidth?.upload_bytes_per_second) }), "(its backups; empty: none of its own, the agent's limit still applies)"),
        field('cfg-download', 'Download limit (MB/s)', h('input', { id: 'cfg-download', name: 'download', type: 'number', min: 0.001024, step: 'any', value: rateToText(existing?.bandwidth?.download_bytes_per_second) }), '(restores of its backups)'),
      ),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Backup window'),
      h(
        'div',
        { class: 'grid2' },
        field('cfg-window-start', 'Window opens at', h('input', { id: 'cfg-window-start', name: 'window_start', type: 'time', value: existing?.backup_window?.start ?? '' }), "(scheduled backups only, in the schedule's zone; empty: any time)"),
        field('cfg-window-end', 'Window closes at', h('input', { id: 'cfg-window-end', name: 'window_end', type: 'time', value: existing?.backup_window?.end ?? '' }), '(before the start: crosses midnight)'),
        field(
          'cfg-window-outside',
          'Still running when it closes',
          h(
            'select',
            { id: 'cfg-window-outside', name: 'window_outside' },
            [
              ['pause', 'pause until it opens again'],
              ['stop', 'stop the backup'],
            ].map(([value, text]) => h('option', { value, selected: (existing?.backup_window?.outside ?? 'pause') === value }, text)),
          ),
          '(backups started by hand ignore the window)',
        ),
      ),
    ),
    editable ? h('div', { class: 'row' }, h('button', { type: 'submit' }, existing ? 'Save changes' : 'Create configuration'), h('a', { class: 'button secondary', href: '#/configurations' }, 'Cancel')) : null,
  );
  if (!editable) for (const control of form.querySelectorAll('input, select, textarea')) control.disabled = true;

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const freq = String(data.get('freq'));
    const [hour, minute] = String(data.get('time') || '00:00').split(':').map(Number);
    const newSchedule =
      freq === 'MANUAL'
        ? null
        : {
            recurrence: [buildRule({ freq, interval: Number(data.get('interval')) || 1, days: data.getAll('day').map(String), hour, minute: freq === 'HOURLY' ? undefined : minute })],
            time_zone: String(data.get('tz')).trim(),
          };
    const configuration = {
      name: String(data.get('name')).trim(),
      enabled: data.get('enabled') === 'on',
      schedule: newSchedule,
      retention: retentionFromForm(data),
      inclusions: textToPaths(data.get('include')),
      exclusions: textToExclusions(data.get('exclude')),
      notifications: String(data.get('email'))
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean)
        .map((destination) => ({ type: 'email', destination, on_success: false, on_failure: true })),
      bandwidth: { upload_bytes_per_second: textToRate(data.get('upload')), download_bytes_per_second: textToRate(data.get('download')) },
      // Both times empty: no window; one of them empty is sent as is, for the server to name.
      backup_window:
        String(data.get('window_start') ?? '') === '' && String(data.get('window_end') ?? '') === ''
          ? null
          : { start: String(data.get('window_start')), end: String(data.get('window_end')), outside: String(data.get('window_outside')) },
    };
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      if (existing) {
        const ops = [
          ['/name', configuration.name],
          ['/enabled', configuration.enabled],
          ['/schedule', configuration.schedule],
          ['/retention', configuration.retention],
          ['/inclusions', configuration.inclusions],
          ['/exclusions', configuration.exclusions],
          ['/notifications', configuration.notifications],
          ['/bandwidth', configuration.bandwidth],
          ['/backup_window', configuration.backup_window],
        ].map(([path, value]) => ({ op: 'replace', path, value }));
        await patch(v2('configurations', existing.id), ops);
        flash(`Saved ${configuration.name}.`);
        await configurationFormPage(main, existing.id, params);
      } else {
        const created = await post(v2('configurations'), { agent_id: String(data.get('agent')), ...configuration });
        flash(`Created ${created.name}.`);
        location.hash = `#/configurations/${encodeURIComponent(created.id)}`;
      }
    } catch (error) {
      clear(problem, errorBox(error));
      problem.querySelector('.alert')?.focus?.();
      problem.scrollIntoView({ block: 'nearest' });
      button.disabled = false;
    }
  });

  const headerActions = existing
    ? h(
        'div',
        { class: 'row' },
        may('creator') && !existing.deleted ? backupNowButton(existing) : null,
        may('admin') && !existing.deleted
          ? h(
              'button',
              {
                type: 'button',
                class: 'danger',
                onclick: async () => {
                  if (!confirm(`Delete configuration ${existing.name}?`)) return;
                  try {
                    await del(v2('configurations', existing.id));
                    flash(`Deleted ${existing.name}.`);
                    location.hash = '#/configurations';
                  } catch (error) {
                    flash(error.message, 'error');
                  }
                },
              },
              'Delete',
            )
          : null,
      )
    : null;
  clear(
    main,
    h('div', { class: 'spread' }, h('h1', {}, existing ? `Configuration ${existing.name}` : 'New configuration'), headerActions),
    existing?.deleted ? h('p', { class: 'alert' }, 'This configuration was deleted.') : null,
    existing ? h('p', { class: 'muted' }, `Schedule: ${describeSchedule(existing.schedule)} · next backup ${when(existing.backups?.next?.scheduled_time)}`) : null,
    form,
    existing ? await retentionPanel(existing) : null,
  );
}
