// Small helpers to build the page from data without innerHTML (text is always text, never markup).

/** h('a', {href: '#/x', class: 'y', onclick: fn}, 'text', child) */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') element.addEventListener(key.slice(2), value);
    else if (key === 'class') element.className = value;
    else if (key === 'dataset') Object.assign(element.dataset, value);
    else if (value === true) element.setAttribute(key, '');
    else element.setAttribute(key, String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
export function bytes(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  let v = value;
  let unit = 0;
  while (v >= 1000 && unit < UNITS.length - 1) {
    v /= 1000;
    unit++;
  }
  return unit === 0 ? `${v} B` : `${v.toFixed(v >= 100 ? 0 : 1)} ${UNITS[unit]}`;
}

export function when(iso) {
  if (!iso) return '–';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  // With its zone: a time read off the screen must not be mistaken for the server's or the configuration's zone.
  return date.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
}

/** How long a job ran: start to end, or start to now while it runs; `–` before it starts. */
export function jobDuration(job) {
  const start = Date.parse(job?.started_time ?? '');
  if (Number.isNaN(start)) return '–';
  const end = Date.parse(job.ended_time ?? '');
  return Number.isNaN(end) ? `${duration(Date.now() - start)} so far` : duration(end - start);
}

export function duration(ms) {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

export function stateClass(state) {
  if (/^(completed|succeeded|passed|online|delivered)$/i.test(state)) return 'ok';
  if (/(failed|missed|offline)$/i.test(state)) return 'bad';
  if (/(errors|stopped|skipped|stop_requested|canceling|disabled)$/i.test(state)) return 'warn';
  if (/(in_progress|running|preparing|queued|start_|pending|busy|requested|started|restoring|checking)/i.test(state)) return 'run';
  return '';
}

export function stateBadge(state) {
  return h('span', { class: `state ${stateClass(state)}` }, String(state).replace(/_/g, ' '));
}

export function table(columns, rows, empty = 'Nothing yet.') {
  if (rows.length === 0) return h('p', { class: 'muted' }, empty);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.class }, c.label)))),
      h('tbody', {}, rows.map((row) => h('tr', {}, columns.map((c) => h('td', { class: c.class }, c.cell(row)))))),
    ),
  );
}

export function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(Boolean).map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
}

export function shortId(id) {
  return h('span', { class: 'id', title: id }, String(id).slice(0, 8));
}

/** The server's message, and its list of problems, in an alert region screen readers announce. */
export function errorBox(error) {
  const details = error?.details ?? [];
  return h('div', { class: 'alert', role: 'alert' }, h('strong', {}, error?.message ?? String(error)), details.length ? h('ul', {}, details.map((d) => h('li', {}, d))) : null);
}

let flashTimer;
export function flash(text, kind = 'ok') {
  const region = document.getElementById('flash');
  clear(region, h('p', { class: kind === 'error' ? 'error' : '' }, text));
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => clear(region), 6000);
}
