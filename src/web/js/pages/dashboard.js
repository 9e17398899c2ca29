import { all, v2 } from '../api.js';
import { activityChart, perDay } from '../chart.js';
import { agentsWithStatus, isTerminal, jobHref } from '../data.js';
import { bytes, clear, h, shortId, stateBadge, table, when } from '../dom.js';
import { onEvents } from '../live.js';

const FAILED = ['failed', 'missed'];
const DAYS = 30;

export async function dashboardPage(main) {
  const body = h('div');
  clear(main, h('h1', {}, 'Dashboard'), body);
  const draw = async () => {
    const since = Date.now() - DAYS * 86_400_000;
    const [agents, backups, activities] = await Promise.all([
      agentsWithStatus(),
      all('backups', v2('backups'), {}, 5),
      all('activities', v2('activities'), {}, 3).catch(() => []),
    ]);
    const recentBackups = backups.filter((b) => Date.parse(b.ended_time ?? b.started_time ?? '') >= since);
    const failures = activities.filter((a) => FAILED.includes(a.state) && Date.parse(a.last_updated_time) >= since);
    const days = perDay(DAYS, [
      { items: recentBackups, dateOf: (b) => b.ended_time ?? b.started_time, field: 'bytes', valueOf: (b) => b.bytes_backed_up ?? 0 },
      { items: failures, dateOf: (a) => a.last_updated_time, field: 'failures', valueOf: () => 1 },
    ]);
    const running = activities.filter((a) => !isTerminal(a.state));
    const online = agents.filter((a) => a.status?.online).length;
    const chartWidth = (body.clientWidth || main.clientWidth || 720) - 34;
    const card = (value, label) => h('div', { class: 'card' }, h('div', { class: 'value' }, value), h('div', { class: 'label' }, label));
    clear(
      body,
      h(
        'section',
        { class: 'cards', 'aria-label': 'Summary' },
        card(`${online}/${agents.length}`, 'agents online'),
        card(String(running.length), 'jobs running'),
        card(bytes(days.reduce((sum, d) => sum + d.bytes, 0)), `backed up in ${DAYS} days`),
        card(String(failures.length), `failures in ${DAYS} days`),
      ),
      h(
        'section',
        { class: 'panel chart', 'aria-labelledby': 'chart-title' },
        h('div', { class: 'spread' }, h('h2', { id: 'chart-title' }, `Bytes backed up per day and failures, last ${DAYS} days`), h('div', { class: 'legend' }, h('span', {}, 'bytes backed up'), h('span', { class: 'fail' }, 'failed jobs'))),
        activityChart(days, chartWidth),
      ),
      h('h2', {}, 'Latest jobs'),
      table(
        [
          { label: 'Job', cell: (a) => h('a', { href: jobHref(a.type, a.id) }, `${a.type} `, shortId(a.id)) },
          { label: 'State', cell: (a) => stateBadge(a.state) },
          { label: 'Agent', class: 'opt', cell: (a) => agents.find((x) => x.id === a.agent?.id)?.name ?? '–' },
          { label: 'Updated', cell: (a) => when(a.last_updated_time) },
        ],
        activities.slice(0, 10),
        'No jobs yet: start a backup from Configurations.',
      ),
    );
  };
  await draw();
  let timer;
  return onEvents(() => {
    clearTimeout(timer);
    timer = setTimeout(() => draw().catch(() => {}), 500);
  });
}
