import { get, may, post, v2 } from '../api.js';
import { configurations } from '../data.js';
import { clear, facts, flash, h, shortId, stateBadge, table, when } from '../dom.js';

/** How the last attempt of a delivery went: HTTP status, error, or the next try. */
function outcome(d) {
  const parts = [d.last_status_code ?? '', d.last_error ?? ''].filter((p) => p !== '');
  if (d.state === 'pending' && d.next_attempt_time) parts.push(`next try ${when(d.next_attempt_time)}`);
  return parts.join(' · ') || '–';
}

function deliveriesTable(deliveries, withRecipient) {
  return table(
    [
      { label: 'Created', cell: (d) => when(d.created_time) },
      { label: 'Delivery', class: 'opt', cell: (d) => shortId(d.id) },
      ...(withRecipient ? [{ label: 'To', cell: (d) => d.recipient }] : []),
      { label: 'Event', cell: (d) => d.event_type },
      { label: 'State', cell: (d) => stateBadge(d.state) },
      { label: 'Attempts', cell: (d) => String(d.attempts) },
      { label: 'Last attempt', cell: outcome },
    ],
    deliveries,
    'No deliveries yet.',
  );
}

/** The e-mail notifications of every configuration (the list carries none, so each configuration is read). */
async function configurationEmails() {
  const [items, { agents }] = await Promise.all([configurations(), get(v2('agents'))]);
  const agentName = (id) => agents.find((a) => a.id === id)?.name ?? id;
  const details = await Promise.all(items.map((c) => get(v2('configurations', c.id))));
  return items.flatMap((c, i) => (details[i].notifications ?? []).map((n) => ({ ...n, configuration: c, agent: agentName(c.agent?.id) })));
}

const yes = (flag) => (flag ? 'yes' : 'no');

export async function notificationsPage(main) {
  const [{ webhooks }, emails, summaries, alerts, { deliveries }] = await Promise.all([
    get(v2('webhooks')),
    configurationEmails(),
    get(v2('settings', 'summaries')),
    get(v2('settings', 'alerts')),
    get(v2('deliveries'), { query: { limit: 20 } }),
  ]);
  const lastOf = await Promise.all(webhooks.map((w) => get(v2('webhooks', w.id, 'deliveries'), { query: { limit: 1 } }).then((r) => r.deliveries[0])));
  const periods = [summaries.daily ? 'daily' : null, summaries.weekly ? 'weekly' : null].filter(Boolean).join(' and ') || 'off';
  clear(
    main,
    h('h1', {}, 'Notifications'),
    h('section', { 'aria-labelledby': 'webhooks-title' }, [
      h('h2', { id: 'webhooks-title' }, 'Webhooks'),
      table(
        [
          { label: 'URL', cell: (w) => h('a', { href: `#/notifications/webhooks/${encodeURIComponent(w.id)}` }, w.url) },
          { label: 'Events', cell: (w) => w.event_types.join(', ') },
          { label: 'Enabled', cell: (w) => (w.enabled ? 'yes' : stateBadge('disabled')) },
          {
            label: 'Last delivery',
            cell: (w) => {
              const last = lastOf[webhooks.indexOf(w)];
              return last ? h('span', {}, stateBadge(last.state), ` ${when(last.created_time)} · ${outcome(last)}`) : '–';
            },
          },
        ],
        webhooks,
        'No webhooks. They are created through the API (POST /v2/{project}/webhooks).',
      ),
    ]),
    h('section', { 'aria-labelledby': 'emails-title' }, [
      h('h2', { id: 'emails-title' }, 'E-mail notifications of configurations'),
      table(
        [
          { label: 'Configuration', cell: (e) => h('a', { href: `#/configurations/${encodeURIComponent(e.configuration.id)}` }, e.configuration.name) },
          { label: 'Agent', cell: (e) => e.agent },
          { label: 'Address', cell: (e) => e.destination },
          { label: 'On success', cell: (e) => yes(e.on_success) },
          { label: 'On failure', cell: (e) => yes(e.on_failure) },
        ],
        emails,
        'No configuration sends e-mail.',
      ),
      facts([
        ['Summary e-mails', `${periods}${summaries.notifications.length ? ` to ${summaries.notifications.map((n) => n.destination).join(', ')}` : ''}`],
        ['Agent offline after', `${Math.round(alerts.agent_offline_seconds / 60)} minutes (mailed to the on-failure addresses of its configurations)`],
      ]),
    ]),
    h('section', { 'aria-labelledby': 'deliveries-title' }, [h('h2', { id: 'deliveries-title' }, 'Last deliveries'), deliveriesTable(deliveries, true)]),
  );
}

export async function webhookPage(main, id) {
  const [webhook, { deliveries }] = await Promise.all([get(v2('webhooks', id)), get(v2('webhooks', id, 'deliveries'), { query: { limit: 50 } })]);
  const test = may('creator')
    ? h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          onclick: async () => {
            try {
              await post(v2('webhooks', id, 'test'));
              flash('Test delivery queued; reload to see how it went.');
            } catch (error) {
              flash(error.message, 'error');
            }
          },
        },
        'Send a test delivery',
      )
    : null;
  clear(
    main,
    h('div', { class: 'spread' }, h('h1', {}, 'Webhook'), test),
    facts([
      ['URL', webhook.url],
      ['Events', webhook.event_types.join(', ')],
      ['Enabled', webhook.enabled ? 'yes' : 'no'],
      webhook.secret !== undefined ? ['Secret', h('code', {}, webhook.secret)] : ['Secret', 'hidden from observers'],
      ['Created', when(webhook.created_time)],
    ]),
    h('h2', {}, 'Last deliveries'),
    deliveriesTable(deliveries, false),
    h('p', {}, h('a', { href: '#/notifications' }, 'All notifications')),
  );
}
