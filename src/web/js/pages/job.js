import { get, may, v2 } from '../api.js';
import { isTerminal, jobHref, jobPath, stopJob } from '../data.js';
import { bytes, clear, duration, errorBox, facts, flash, h, stateBadge, when } from '../dom.js';

const POLL_MS = 1500;
/** Errors shown at once: a restore with thousands of errors pages through them instead of growing a page without end. */
const ERRORS_PER_PAGE = 50;
/** States in which the job's work is done in full: the bar stands at 100 %. */
const DONE = ['completed', 'completed_with_errors', 'SUCCEEDED'];

function progressOf(events) {
  const last = [...events].reverse().find((e) => /_progress$/.test(e.event ?? '') && typeof e.bytes_completed === 'number');
  if (!last) return undefined;
  const done = last.bytes_completed ?? 0;
  const total = last.total_bytes ?? (last.bytes_remaining !== undefined ? done + last.bytes_remaining : undefined);
  return { done, total, filesDone: last.files_completed, filesTotal: last.total_files };
}

function progressBar(progress, state) {
  const finished = DONE.includes(state);
  const fraction = finished ? 1 : progress?.total ? Math.min(1, progress.done / progress.total) : 0;
  const percent = Math.floor(fraction * 100);
  const text = progress
    ? `${bytes(progress.done)}${progress.total !== undefined ? ` of ${bytes(progress.total)}` : ''}${progress.filesDone !== undefined ? ` · ${progress.filesDone}${progress.filesTotal !== undefined ? `/${progress.filesTotal}` : ''} files` : ''}`
    : finished
      ? 'done'
      : 'waiting for the agent';
  const fill = h('div');
  // Set through the CSSOM: the console's Content-Security-Policy allows no inline style attributes.
  fill.style.width = `${percent}%`;
  return h(
    'div',
    {},
    h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': percent, 'aria-label': 'Progress' }, fill),
    h('p', { class: 'muted' }, `${percent}% · ${text}`),
  );
}

function resultFacts(kind, job, names) {
  const name = (id) => names.get(id) ?? id ?? '–';
  const took = job.started_time && job.ended_time ? duration(Date.parse(job.ended_time) - Date.parse(job.started_time)) : '–';
  // A backup waiting in the server's queue for a run slot shows its place there.
  const waiting = typeof job.queue_position === 'number' ? h('span', { class: 'muted' }, ` #${job.queue_position} in the queue, waiting for a run slot`) : '';
  const common = [
    ['State', h('span', {}, stateBadge(job.state), waiting)],
    ['Id', h('span', { class: 'id' }, job.id ?? job.guid)],
    ['Started', when(job.started_time ?? job.created_at)],
    ['Ended', when(job.ended_time)],
    ['Took', took],
  ];
  switch (kind) {
    case 'backup':
      return [
        ...common,
        ['Configuration', h('a', { href: `#/configurations/${encodeURIComponent(job.configuration?.id)}` }, name(job.configuration?.id))],
        ['Agent', h('a', { href: `#/agents/${encodeURIComponent(job.agent?.id)}` }, name(job.agent?.id))],
        ['Files', `${job.files_backed_up ?? 0} backed up of ${job.files_searched ?? 0} searched`],
        ['Size', `${bytes(job.bytes_searched)} in the snapshot, ${bytes(job.bytes_backed_up)} added to the vault`],
        ['Snapshot', job.snapshot_id ?? '–'],
        ['Restorable', job.restorable ? 'yes' : 'no'],
      ];
    case 'restore':
      return [
        ...common,
        ['Backup', h('a', { href: jobHref('backup', job.backup?.id) }, job.backup?.id ?? '–')],
        ['Onto agent', h('a', { href: `#/agents/${encodeURIComponent(job.destination_agent?.id)}` }, name(job.destination_agent?.id))],
        ['Into', job.destination_path ?? 'the original places'],
        ['Restored', `${job.files_restored ?? 0} files, ${bytes(job.bytes_restored)}`],
        job.files_skipped > 0 ? ['Left alone', `${job.files_skipped} existing files (not overwritten)`] : null,
      ];
    case 'cleanup':
      return [...common, ['Agent', h('a', { href: `#/agents/${encodeURIComponent(job.agent?.id)}` }, name(job.agent?.id))], ['Snapshots removed', (job.snapshot_ids ?? []).join(', ') || '–'], ['Vault size', `${bytes(job.bytes_before)} → ${bytes(job.bytes_after)}`]];
    case 'verification':
      return [
        ['State', stateBadge(job.state)],
        ['Id', h('span', { class: 'id' }, job.id)],
        ['Agent', h('a', { href: `#/agents/${encodeURIComponent(job.agent?.id)}` }, name(job.agent?.id))],
        ['Started', when(job.created_time)],
        ['Ended', when(job.ended_time)],
        ['Packs read', `${job.packs_read ?? 0} of ${job.packs ?? 0} (subset ${job.read_data_subset})`],
        ['Problems', (job.errors ?? []).length ? h('ul', {}, job.errors.map((e) => h('li', {}, h('code', {}, e)))) : 'none'],
      ];
    case 'task':
      return [
        ['State', stateBadge(job.state)],
        ['Name', job.name],
        ['Command', h('code', {}, job.command ?? '(hidden for your role)')],
        ['Agent', h('a', { href: `#/agents/${encodeURIComponent(job.relationships?.agent?.data?.guid)}` }, name(job.relationships?.agent?.data?.guid))],
        ['Created', when(job.created_at)],
        ['Updated', when(job.updated_at)],
        ['Failure', job.result?.failure_reason ?? '–'],
        ['Labels', Object.entries(job.metadata?.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(', ') || '–'],
      ];
  }
  return common;
}

/** One error: the agent's own words about the item first, the type's general description only without them. */
function errorText(e) {
  return e.exception?.description || e.description || e.type || 'unknown error';
}

/** The job's errors, a page at a time, with the count of all of them. */
function errorSection(errors, page, goTo) {
  const list = errors.list ?? [];
  const pages = Math.max(1, Math.ceil(list.length / ERRORS_PER_PAGE));
  const current = Math.min(page, pages - 1);
  const first = current * ERRORS_PER_PAGE;
  const shown = list.slice(first, first + ERRORS_PER_PAGE);
  const count = errors.count ?? list.length;
  const range = list.length > shown.length ? `Showing ${first + 1}–${first + shown.length} of ${list.length}${count > list.length ? ` listed (the agent listed ${list.length} of ${count})` : ''}.` : null;
  const button = (text, target, disabled) => h('button', { type: 'button', class: 'secondary', disabled: disabled || null, onclick: () => goTo(target) }, text);
  return h(
    'section',
    { 'aria-labelledby': 'errors-title' },
    h('h2', { id: 'errors-title' }, `Errors (${count})`),
    errors.reason || errors.diagnostics ? h('p', {}, [errors.reason, errors.diagnostics].filter(Boolean).join(': ')) : null,
    h('ul', { class: 'errors' }, shown.map((e) => h('li', {}, e.path ? [h('code', {}, e.path), ` — ${errorText(e)}`] : errorText(e)))),
    range
      ? h('nav', { class: 'row pager', 'aria-label': 'Error pages' }, button('Previous', current - 1, current === 0), h('span', { class: 'muted' }, range), button('Next', current + 1, current >= pages - 1))
      : null,
  );
}

function eventLine(event) {
  const extra = typeof event.bytes_completed === 'number' ? ` ${bytes(event.bytes_completed)}${event.total_bytes !== undefined ? ` / ${bytes(event.total_bytes)}` : ''}` : '';
  return h('li', {}, h('time', { datetime: event.time }, when(event.time)), ` · ${event.event}${extra}`);
}

export async function jobPage(main, kind, id) {
  let timer;
  let stopped = false;
  let shownStop;
  let lastErrors = null;
  let errorPage = 0;
  const drawErrors = () =>
    clear(
      problems,
      lastErrors
        ? errorSection(lastErrors, errorPage, (page) => {
            errorPage = page;
            drawErrors();
          })
        : null,
    );
  // The page is built once; each refresh replaces only the parts that change, so focus stays where it is.
  const actions = h('div', { class: 'row' });
  const progress = h('section', { class: 'panel', 'aria-label': 'Progress', hidden: kind === 'task' || kind === 'verification' });
  const details = h('section', { class: 'panel', 'aria-label': 'Details' });
  const problems = h('div');
  const outputs = h('div');
  const eventList = h('section', { 'aria-labelledby': 'events-title', hidden: kind === 'task' || kind === 'verification' });
  // Names for the ids a job refers to.
  const [agentList, configList] = await Promise.all([get(v2('agents')).catch(() => ({ agents: [] })), get(v2('configurations')).catch(() => ({ configurations: [] }))]);
  const names = new Map([...agentList.agents, ...configList.configurations].map((item) => [item.id, item.name]));
  clear(main, h('div', { class: 'spread' }, h('h1', {}, `${kind[0].toUpperCase()}${kind.slice(1)} ${String(id).slice(0, 8)}`), actions), progress, details, problems, outputs, eventList);

  const draw = async () => {
    const job = await get(jobPath(kind, id));
    const [events, errors, output] = await Promise.all([
      kind === 'task' || kind === 'verification' ? Promise.resolve([]) : get(jobPath(kind, id, 'events'), { query: { sort_dir: 'asc', limit: 1000 } }).then((b) => b.events ?? []).catch(() => []),
      kind === 'task' || kind === 'verification' || !(job.errors?.count > 0 || job.errors?.reason) ? Promise.resolve(null) : get(jobPath(kind, id, 'errors')).catch(() => null),
      kind === 'task' ? get(jobPath(kind, id, 'output'), { accept: [404] }).catch(() => null) : Promise.resolve(null),
    ]);
    if (stopped) return;
    const canStop = may('creator') && kind !== 'verification' && !isTerminal(job.state) && job.state !== 'stop_requested' && job.state !== 'CANCELING';
    if (canStop !== shownStop) {
      shownStop = canStop;
      clear(
        actions,
        canStop
          ? h(
              'button',
              {
                type: 'button',
                class: 'danger',
                onclick: async (event) => {
                  event.target.disabled = true;
                  try {
                    await stopJob(kind, id);
                    flash(`Asked the ${kind} to stop.`);
                  } catch (error) {
                    flash(error.message, 'error');
                  }
                },
              },
              kind === 'task' ? 'Cancel task' : `Stop ${kind}`,
            )
          : null,
      );
    }
    const outputText = typeof output === 'string' ? output : output?.output ?? output?.text ?? null;
    // A job that failed or was stopped has no bar: its facts say what it did; only a running or finished one has one.
    const barShown = kind !== 'task' && kind !== 'verification' && (!isTerminal(job.state) || DONE.includes(job.state));
    progress.hidden = !barShown;
    clear(progress, barShown ? progressBar(progressOf(events), job.state) : null);
    clear(details, facts(resultFacts(kind, job, names)));
    lastErrors = errors;
    drawErrors();
    clear(outputs, outputText !== null ? h('section', { 'aria-labelledby': 'output-title' }, h('h2', { id: 'output-title' }, 'Output'), h('pre', { class: 'panel' }, outputText || '(nothing yet)')) : null);
    if (kind !== 'task' && kind !== 'verification') clear(eventList, h('h2', { id: 'events-title' }, 'Events'), events.length ? h('ul', { class: 'events' }, events.map(eventLine)) : h('p', { class: 'muted' }, 'No events.'));
    if (!isTerminal(job.state)) timer = setTimeout(() => draw().catch((error) => clear(problems, errorBox(error))), POLL_MS);
  };
  await draw();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
