import { get, may, v2, v3 } from '../api.js';
import { agentsWithStatus, configurations, isTerminal, jobHref, runTask, startBackup, startCleanup, startRestore, stopJob } from '../data.js';
import { bytes, clear, errorBox, flash, h, jobDuration, shortId, stateBadge, table, when } from '../dom.js';
import { onEvents } from '../live.js';

const TABS = [
  ['', 'All'],
  ['backup', 'Backups'],
  ['restore', 'Restores'],
  ['cleanup', 'Cleanups'],
  ['task', 'Tasks'],
  ['verification', 'Verifications'],
];

function stopButton(kind, id, state, after) {
  if (!may('creator') || kind === 'verification' || isTerminal(state) || state === 'stop_requested' || state === 'CANCELING') return null;
  return h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      'aria-label': `Stop ${kind} ${id}`,
      onclick: async (event) => {
        event.target.disabled = true;
        try {
          await stopJob(kind, id);
          flash(`Asked the ${kind} to stop.`);
          await after();
        } catch (error) {
          flash(error.message, 'error');
          event.target.disabled = false;
        }
      },
    },
    kind === 'task' ? 'Cancel' : 'Stop',
  );
}

/** One small form per kind of job; each goes to the new job's page. */
function startForms(agents, configs, restorable) {
  const option = (value, text) => h('option', { value }, text);
  const form = (id, title, fields, submitText, start) => {
    const problem = h('div');
    const element = h('form', { 'aria-labelledby': `${id}-title` }, h('h3', { id: `${id}-title` }, title), problem, fields, h('button', { type: 'submit' }, submitText));
    element.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        const [kind, job] = await start(new FormData(element));
        location.hash = jobHref(kind, job.id ?? job.guid);
      } catch (error) {
        clear(problem, errorBox(error));
      }
    });
    return h('div', { class: 'panel' }, element);
  };
  const select = (id, name, label, options) => h('div', { class: 'field' }, h('label', { for: id }, label), h('select', { id, name, required: true }, options));
  const agentOptions = agents.map((a) => option(a.id, a.name));
  return h(
    'details',
    { class: 'panel' },
    h('summary', {}, 'Start a job'),
    h(
      'div',
      { class: 'grid2' },
      form('start-backup', 'Backup', select('sb-config', 'config', 'Configuration', configs.map((c) => option(c.id, c.name))), 'Start backup', async (data) => ['backup', await startBackup(String(data.get('config')))]),
      form(
        'start-restore',
        'Restore',
        [
          select('sr-backup', 'backup', 'Backup', restorable.map((b) => option(b.id, `${when(b.ended_time)} · ${configs.find((c) => c.id === b.configuration?.id)?.name ?? b.id.slice(0, 8)}`))),
          select('sr-agent', 'agent', 'Restore onto agent', agentOptions.map((o) => o.cloneNode(true))),
          h('div', { class: 'field' }, h('label', { for: 'sr-path' }, 'Into folder ', h('span', { class: 'hint' }, '(empty: the original places)')), h('input', { id: 'sr-path', name: 'path' })),
          h('div', { class: 'field inline' }, h('input', { id: 'sr-overwrite', name: 'overwrite', type: 'checkbox' }), h('label', { for: 'sr-overwrite' }, 'Overwrite existing files')),
        ],
        'Start restore',
        async (data) => ['restore', await startRestore({ backupId: String(data.get('backup')), agentId: String(data.get('agent')), path: String(data.get('path') ?? '').trim(), overwrite: data.get('overwrite') === 'on' })],
      ),
      form('start-cleanup', 'Cleanup', select('sc-agent', 'agent', 'Agent', agentOptions.map((o) => o.cloneNode(true))), 'Start cleanup', async (data) => ['cleanup', await startCleanup(String(data.get('agent')))]),
      form(
        'start-task',
        'Task',
        [
          select('st-agent', 'agent', 'Agent', agentOptions.map((o) => o.cloneNode(true))),
          h('div', { class: 'field' }, h('label', { for: 'st-command' }, 'Command'), h('input', { id: 'st-command', name: 'command', required: true })),
        ],
        'Run task',
        async (data) => ['task', await runTask({ agentId: String(data.get('agent')), command: String(data.get('command')) })],
      ),
    ),
  );
}

/** The recent backups, restores and cleanups by id: activities carry only state and agent, the jobs the rest. */
async function recentJobs(type) {
  // A restore names its backup: the backups are read for the restores' configurations too.
  const kinds = type === '' ? ['backup', 'restore', 'cleanup'] : type === 'restore' ? ['backup', 'restore'] : [type];
  const lists = await Promise.all(kinds.map((kind) => get(v2(`${kind}s`), { query: { limit: 100 } }).then((b) => b[`${kind}s`] ?? []).catch(() => [])));
  return new Map(lists.flat().map((job) => [job.id, job]));
}

/** The state, and for a backup waiting for a run slot its place in the queue (the job page says more). */
function queuedState(state, job) {
  const place = typeof job?.queue_position === 'number' ? h('span', { class: 'muted' }, ` #${job.queue_position}`) : '';
  return h('span', {}, stateBadge(state), place);
}

/** What the job moved: a backup's snapshot size, a restore's bytes written, a cleanup's vault before and after. */
function sizeOf(kind, job) {
  if (!job) return '–';
  if (kind === 'backup') return job.state === 'completed' || job.state === 'completed_with_errors' ? bytes(job.bytes_searched) : '–';
  if (kind === 'restore') return bytes(job.bytes_restored);
  if (kind === 'cleanup') return job.bytes_before ? `${bytes(job.bytes_before)} → ${bytes(job.bytes_after)}` : '–';
  return '–';
}

export async function jobsPage(main, params) {
  const type = params.get('type') ?? '';
  const body = h('div');
  const tabs = h(
    'nav',
    { class: 'tabs', 'aria-label': 'Kinds of job' },
    TABS.map(([value, text]) => h('a', { href: value ? `#/jobs?type=${value}` : '#/jobs', 'aria-current': value === type ? 'true' : null }, text)),
  );
  const [agents, configs, restorable] = await Promise.all([
    agentsWithStatus(),
    configurations(),
    get(v2('backups'), { query: { restorable: 'true', limit: 50 } })
      .then((b) => b.backups)
      .catch(() => []),
  ]);
  const agentName = (id) => agents.find((a) => a.id === id)?.name ?? '–';
  clear(main, h('h1', {}, 'Jobs'), may('creator') ? startForms(agents, configs, restorable) : null, tabs, body);

  const draw = async () => {
    if (type === 'task') {
      const { resources } = await get(v3('tasks'), { query: { order_by: '-created_at', per_page: 100 } });
      clear(
        body,
        table(
          [
            { label: 'Task', cell: (t) => h('a', { href: jobHref('task', t.guid) }, t.name, ' ', shortId(t.guid)) },
            { label: 'State', cell: (t) => stateBadge(t.state) },
            { label: 'Agent', class: 'opt', cell: (t) => agentName(t.relationships?.agent?.data?.guid) },
            { label: 'Created', cell: (t) => when(t.created_at) },
            { label: '', cell: (t) => stopButton('task', t.guid, t.state, draw) },
          ],
          resources,
          'No tasks yet.',
        ),
      );
      return;
    }
    const [{ activities }, jobs] = await Promise.all([get(v2('activities'), { query: { type: type || undefined, limit: 100 } }), recentJobs(type)]);
    const configName = (id) => configs.find((c) => c.id === id)?.name ?? '–';
    // A restore belongs to the configuration of the backup it restores.
    const configOf = (a) => {
      const job = jobs.get(a.id);
      if (a.type === 'backup') return configName(job?.configuration?.id);
      if (a.type === 'restore') return configName(jobs.get(job?.backup?.id)?.configuration?.id);
      return '–';
    };
    clear(
      body,
      table(
        [
          { label: 'Job', cell: (a) => h('a', { href: jobHref(a.type, a.id) }, `${a.type} `, shortId(a.id)) },
          { label: 'State', cell: (a) => queuedState(a.state, jobs.get(a.id)) },
          { label: 'Configuration', cell: configOf },
          { label: 'Size', cell: (a) => sizeOf(a.type, jobs.get(a.id)) },
          { label: 'Took', cell: (a) => jobDuration(jobs.get(a.id)) },
          { label: 'Agent', class: 'opt', cell: (a) => agentName(a.agent?.id) },
          { label: 'Updated', class: 'opt', cell: (a) => when(a.last_updated_time) },
          { label: '', cell: (a) => stopButton(a.type, a.id, a.state, draw) },
        ],
        activities,
        'No jobs yet.',
      ),
    );
  };
  await draw();
  return onEvents(() => draw().catch(() => {}));
}
