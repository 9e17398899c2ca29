import { get, may, post, v2, v3 } from '../api.js';
import { jobHref } from '../data.js';
import { bytes, clear, errorBox, facts, flash, h, shortId, stateBadge, table, when } from '../dom.js';

const POLL_MS = 1500;
const OVER = ['passed', 'failed'];

export const drillRunHref = (id) => `#/drill-runs/${encodeURIComponent(id)}`;

function schedule(drill) {
  if (!drill.enabled) return 'disabled';
  return drill.schedule ? `${drill.schedule.recurrence[0].replace(/^RRULE:/, '')} (${drill.schedule.time_zone})` : 'on request';
}

/** #/drills: every drill with its last run, and the latest runs of the project. */
export async function drillsPage(main) {
  const body = h('div');
  clear(main, h('h1', {}, 'Restore drills'), h('p', { class: 'muted' }, 'Each drill restores its configuration’s latest completed backup into a scratch folder on an agent and runs a check there. Create them with the API or `coffer drills create`.'), body);
  const draw = async () => {
    const [{ drills }, { drill_runs: runs }, { agents }] = await Promise.all([get(v2('drills')), get(v2('drill-runs'), { query: { limit: 20 } }), get(v2('agents'))]);
    const agentName = (id) => agents.find((a) => a.id === id)?.name ?? id;
    const drillName = (id) => drills.find((d) => d.id === id)?.name ?? id;
    const runNow = (drill) =>
      h(
        'button',
        {
          type: 'button',
          onclick: async (event) => {
            event.target.disabled = true;
            try {
              const run = await post(v2('drills', drill.id, 'runs'));
              location.hash = drillRunHref(run.id);
            } catch (error) {
              flash(error.message, 'error');
              event.target.disabled = false;
            }
          },
        },
        'Run now',
      );
    clear(
      body,
      table(
        [
          { label: 'Drill', cell: (d) => d.name },
          { label: 'Agent', class: 'opt', cell: (d) => agentName(d.agent.id) },
          { label: 'Scratch folder', class: 'opt', cell: (d) => h('code', {}, d.target_path) },
          { label: 'Schedule', class: 'opt', cell: schedule },
          { label: 'Last run', cell: (d) => (d.last_run ? h('a', { href: drillRunHref(d.last_run.id) }, stateBadge(d.last_run.state), ' ', when(d.last_run.created_time)) : '–') },
          { label: 'Next', class: 'opt', cell: (d) => when(d.next_run_time) },
          ...(may('creator') ? [{ label: 'Actions', cell: runNow }] : []),
        ],
        drills,
        'No drills yet.',
      ),
      h('h2', {}, 'Latest runs'),
      table(
        [
          { label: 'Run', cell: (r) => h('a', { href: drillRunHref(r.id) }, shortId(r.id)) },
          { label: 'Drill', cell: (r) => drillName(r.drill.id) },
          { label: 'State', cell: (r) => stateBadge(r.state) },
          { label: 'Started', cell: (r) => when(r.created_time) },
          { label: 'Reason', class: 'opt', cell: (r) => r.failure_reason ?? '' },
        ],
        runs,
        'No runs yet.',
      ),
    );
  };
  await draw();
}

/** #/drill-runs/ID: one run as a job: the restore, the check and its output, how it ended. */
export async function drillRunPage(main, id) {
  let timer;
  let stopped = false;
  const details = h('section', { class: 'panel', 'aria-label': 'Details' });
  const outputs = h('div');
  const problems = h('div');
  clear(main, h('h1', {}, `Drill run ${String(id).slice(0, 8)}`), details, problems, outputs);
  const draw = async () => {
    const run = await get(v2('drill-runs', id));
    const output = run.check ? await get(v3('tasks', run.check.task_guid, 'output'), { accept: [404] }).catch(() => null) : null;
    if (stopped) return;
    const restore = run.restore;
    clear(
      details,
      facts([
        ['State', stateBadge(run.state)],
        ['Id', h('span', { class: 'id' }, run.id)],
        ['Drill', run.drill.id],
        ['Started by', run.started_by],
        ['Backup', run.backup ? h('a', { href: jobHref('backup', run.backup.id) }, run.backup.id) : '–'],
        ['Restore', restore ? h('span', {}, h('a', { href: jobHref('restore', restore.id) }, stateBadge(restore.state ?? 'restoring')), restore.files_restored != null ? ` ${restore.files_restored} files, ${bytes(restore.bytes_restored)}` : '') : '–'],
        ['Check', run.check ? h('span', {}, h('a', { href: jobHref('task', run.check.task_guid) }, stateBadge(run.check.state ?? 'checking')), run.check.failure_reason ? ` ${run.check.failure_reason}` : '') : '–'],
        ['Started', when(run.created_time)],
        ['Deadline', when(run.deadline_time)],
        ['Ended', when(run.ended_time)],
      ]),
    );
    clear(problems, run.failure_reason ? h('div', { class: 'alert', role: 'alert' }, h('strong', {}, 'Why it failed: '), run.failure_reason) : null);
    const text = typeof output === 'string' ? output : null;
    clear(outputs, text !== null ? h('section', { 'aria-labelledby': 'output-title' }, h('h2', { id: 'output-title' }, 'Check output'), h('pre', { class: 'panel' }, text || '(nothing yet)')) : null);
    if (!OVER.includes(run.state)) timer = setTimeout(() => draw().catch((error) => clear(problems, errorBox(error))), POLL_MS);
  };
  await draw();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
