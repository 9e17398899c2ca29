import { all, del, get, may, patch, post, v2 } from '../api.js';
import { backupNowColumn } from '../backup-now.js';
import { agentStatusWord, agentsWithStatus, jobHref, runTask, startCleanup } from '../data.js';
import { bytes, clear, errorBox, facts, flash, h, stateBadge, table, when } from '../dom.js';
import { onEvents } from '../live.js';
import { describeSchedule } from '../schedule.js';

function lastBackupOf(agentId, backups) {
  return backups.find((b) => b.agent?.id === agentId);
}

function enableButton(agent, after) {
  if (!may('creator')) return null;
  return h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      'aria-label': `${agent.enabled ? 'Disable' : 'Enable'} agent ${agent.name}`,
      onclick: async (event) => {
        event.target.disabled = true;
        try {
          await patch(v2('agents', agent.id), [{ op: 'replace', path: '/enabled', value: !agent.enabled }]);
          flash(`Agent ${agent.name} ${agent.enabled ? 'disabled' : 'enabled'}.`);
          await after();
        } catch (error) {
          flash(error.message, 'error');
          event.target.disabled = false;
        }
      },
    },
    agent.enabled ? 'Disable' : 'Enable',
  );
}

export async function agentsPage(main) {
  const body = h('div');
  clear(main, h('h1', {}, 'Agents'), body);
  const draw = async () => {
    const [agents, backups] = await Promise.all([agentsWithStatus(), all('backups', v2('backups'), {}, 1)]);
    clear(
      body,
      table(
        [
          { label: 'Name', cell: (a) => h('a', { href: `#/agents/${encodeURIComponent(a.id)}` }, a.name) },
          { label: 'Status', cell: (a) => stateBadge(agentStatusWord(a)) },
          { label: 'Enabled', cell: (a) => (a.enabled ? 'yes' : stateBadge('disabled')) },
          {
            label: 'Last backup',
            cell: (a) => {
              const last = lastBackupOf(a.id, backups);
              return last ? h('span', {}, h('a', { href: jobHref('backup', last.id) }, stateBadge(last.state)), ' ', when(last.ended_time ?? last.started_time)) : '–';
            },
          },
          { label: 'Host', class: 'opt', cell: (a) => `${a.host?.os?.name ?? ''} ${a.host?.os?.version ?? ''}` },
          { label: 'Actions', cell: (a) => enableButton(a, draw) },
        ],
        agents,
        'No agents yet. On each machine to back up run: coffer agent register --api URL --user NAME, then coffer agent run.',
      ),
    );
  };
  await draw();
  return onEvents(() => draw().catch(() => {}));
}

function logFilesSection(agent) {
  const section = h('section', { 'aria-labelledby': 'logs-title' });
  let timer;
  const draw = async () => {
    clearTimeout(timer);
    const { logfiles } = await get(v2('agents', agent.id, 'logfiles'));
    const sorted = [...logfiles].sort((a, b) => String(b.date).localeCompare(String(a.date)));
    const link = (f) => (f.links ?? []).find((l) => l.rel === 'logfile_temp_url') ?? (f.links ?? []).find((l) => l.rel === 'logfile');
    clear(
      section,
      h(
        'div',
        { class: 'spread' },
        h('h2', { id: 'logs-title' }, 'Log files'),
        h(
          'button',
          {
            type: 'button',
            onclick: async (event) => {
              event.target.disabled = true;
              try {
                await post(v2('agents', agent.id, 'logfiles'));
                flash(`Asked ${agent.name} to upload its log.`);
              } catch (error) {
                flash(error.message, 'error');
              }
              await draw();
            },
          },
          'Request log file',
        ),
      ),
      table(
        [
          { label: 'Requested', cell: (f) => when(f.date) },
          { label: 'State', cell: (f) => stateBadge(f.state) },
          { label: 'Download', cell: (f) => (link(f) ? h('a', { href: link(f).href, download: `${agent.name}-${String(f.date).slice(0, 19)}.log.gz` }, 'Download') : '–') },
        ],
        sorted,
        'No log files yet.',
      ),
    );
    // Follow an upload in progress.
    if (sorted.some((f) => f.state !== 'completed')) timer = setTimeout(() => draw().catch(() => {}), 2000);
  };
  return { section, draw, stop: () => clearTimeout(timer) };
}

function taskForm(agent) {
  const problem = h('div');
  const form = h(
    'form',
    { class: 'panel', 'aria-labelledby': 'task-title' },
    h('h2', { id: 'task-title' }, 'Run a command'),
    problem,
    h('div', { class: 'field' }, h('label', { for: 'task-command' }, 'Command'), h('input', { id: 'task-command', name: 'command', required: true, placeholder: 'df -h' })),
    h('div', { class: 'field' }, h('label', { for: 'task-name' }, 'Name ', h('span', { class: 'hint' }, '(optional)')), h('input', { id: 'task-name', name: 'name' })),
    h('button', { type: 'submit' }, 'Run task'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      const task = await runTask({ agentId: agent.id, command: String(data.get('command')), name: String(data.get('name') ?? '').trim() });
      location.hash = jobHref('task', task.guid);
    } catch (error) {
      clear(problem, errorBox(error));
    }
  });
  return form;
}

/** "1.2 GB of 50 GB · 812 files of unlimited" */
function quotaText({ limits, usage }) {
  const of = (used, limit, format) => `${format(used)} of ${limit === null ? 'unlimited' : format(limit)}`;
  return `${of(usage.bytes, limits.bytes, bytes)} · ${of(usage.files, limits.files, (n) => `${n} files`)}`;
}

export async function agentPage(main, id) {
  const agents = await agentsWithStatus();
  const agent = agents.find((a) => a.id === id);
  if (!agent) {
    clear(main, h('h1', {}, 'Agent not found'), h('p', {}, h('a', { href: '#/agents' }, 'All agents')));
    return;
  }
  const [{ configurations }, quota] = await Promise.all([get(v2('agents', agent.id, 'configurations')), get(v2('agents', agent.id, 'quota'))]);
  const redraw = () => agentPage(main, id);
  const actions = h(
    'div',
    { class: 'row' },
    enableButton(agent, redraw),
    may('creator')
      ? h(
          'button',
          {
            type: 'button',
            onclick: async () => {
              try {
                const job = await startCleanup(agent.id);
                location.hash = jobHref('cleanup', job.id);
              } catch (error) {
                flash(error.message, 'error');
              }
            },
          },
          'Start cleanup',
        )
      : null,
    may('admin')
      ? h(
          'button',
          {
            type: 'button',
            class: 'danger',
            onclick: async () => {
              if (!confirm(`Delete agent ${agent.name} with its configurations and jobs?`)) return;
              try {
                await del(v2('agents', agent.id));
                flash(`Agent ${agent.name} deleted.`);
                location.hash = '#/agents';
              } catch (error) {
                flash(error.message, 'error');
              }
            },
          },
          'Delete agent',
        )
      : null,
  );
  const logs = may('admin') ? logFilesSection(agent) : null;
  clear(
    main,
    h('h1', {}, `Agent ${agent.name}`),
    h(
      'div',
      { class: 'panel' },
      facts([
        ['Status', stateBadge(agentStatusWord(agent))],
        ['Enabled', agent.enabled ? 'yes' : 'no'],
        ['Id', h('span', { class: 'id' }, agent.id)],
        ['Host', `${agent.host?.os?.name ?? ''} ${agent.host?.os?.version ?? ''} ${agent.host?.os?.architecture ?? ''}`],
        ['Addresses', (agent.host?.addresses ?? []).map((a) => a.addr).join(', ') || '–'],
        ['Version', agent.version ?? '–'],
        ['Log level', agent.log_level ?? '–'],
        ['Vault usage', quotaText(quota)],
        ['Project vault usage', quotaText(quota.project)],
        ['Registered', when(agent.registered_time)],
      ]),
      actions,
    ),
    h('h2', {}, 'Configurations'),
    table(
      [
        { label: 'Name', cell: (c) => h('a', { href: `#/configurations/${encodeURIComponent(c.id)}` }, c.name) },
        { label: 'Schedule', cell: (c) => (c.enabled ? describeSchedule(c.schedule) : stateBadge('disabled')) },
        backupNowColumn,
      ],
      configurations,
      'No configurations for this agent.',
    ),
    logs?.section,
    may('creator') ? taskForm(agent) : null,
  );
  await logs?.draw().catch((error) => logs.section.append(errorBox(error)));
  return () => logs?.stop();
}

