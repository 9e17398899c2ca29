import { onSignedOut, request, session, signIn, signOut } from './api.js';
import { clear, errorBox, h } from './dom.js';
import { stopLive } from './live.js';
import { agentPage, agentsPage } from './pages/agents.js';
import { configurationFormPage, configurationsPage } from './pages/configurations.js';
import { dashboardPage } from './pages/dashboard.js';
import { drillRunPage, drillsPage } from './pages/drills.js';
import { jobPage } from './pages/job.js';
import { jobsPage } from './pages/jobs.js';
import { notificationsPage, webhookPage } from './pages/notifications.js';
import { usersPage } from './pages/users.js';

// Hash routes: #/, #/agents, #/agents/ID, #/configurations, #/configurations/new, #/configurations/ID,
// #/jobs, #/jobs?type=backup, #/jobs/KIND/ID (KIND: backup, restore, cleanup, task, verification), #/drills,
// #/drill-runs/ID, #/notifications, #/notifications/webhooks/ID, #/users.
const routes = [
  [/^\/?$/, () => dashboardPage],
  [/^\/agents$/, () => agentsPage],
  [/^\/agents\/([^/]+)$/, (id) => (main, params) => agentPage(main, id, params)],
  [/^\/configurations$/, () => configurationsPage],
  [/^\/configurations\/new$/, () => (main, params) => configurationFormPage(main, undefined, params)],
  [/^\/configurations\/([^/]+)$/, (id) => (main, params) => configurationFormPage(main, id, params)],
  [/^\/jobs$/, () => jobsPage],
  [/^\/jobs\/(backup|restore|cleanup|task|verification)\/([^/]+)$/, (kind, id) => (main) => jobPage(main, kind, id)],
  [/^\/drills$/, () => drillsPage],
  [/^\/drill-runs\/([^/]+)$/, (id) => (main) => drillRunPage(main, id)],
  [/^\/notifications$/, () => notificationsPage],
  [/^\/notifications\/webhooks\/([^/]+)$/, (id) => (main) => webhookPage(main, id)],
  [/^\/users$/, () => usersPage],
];

const main = () => document.getElementById('main');
let cleanup = () => {};

function parseHash() {
  const raw = decodeURIComponent(location.hash.replace(/^#/, '')) || '/';
  const [path, query = ''] = raw.split('?');
  return { path, params: new URLSearchParams(query) };
}

function markCurrent(path) {
  for (const link of document.querySelectorAll('#nav a')) {
    const target = link.getAttribute('href').slice(1);
    const current = target === '/' ? path === '/' : path.startsWith(target);
    if (current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

async function render(focusHeading = false) {
  cleanup();
  cleanup = () => {};
  stopLive();
  const current = session();
  document.getElementById('nav').hidden = !current;
  document.getElementById('who').hidden = !current;
  if (!current) return renderSignIn();
  document.getElementById('who-name').textContent = `${current.user} · project ${current.project}`;
  const { path, params } = parseHash();
  markCurrent(path);
  const container = main();
  for (const [pattern, make] of routes) {
    const match = pattern.exec(path);
    if (!match) continue;
    clear(container, h('p', { class: 'muted' }, 'Loading…'));
    try {
      const stop = await make(...match.slice(1))(container, params);
      if (typeof stop === 'function') cleanup = stop;
    } catch (error) {
      clear(container, h('h1', {}, 'Something went wrong'), errorBox(error));
    }
    const heading = container.querySelector('h1');
    if (heading) {
      heading.tabIndex = -1;
      if (focusHeading) heading.focus({ preventScroll: true });
    }
    document.title = `${heading?.textContent ?? 'Coffer'} · Coffer console`;
    return;
  }
  clear(container, h('h1', {}, 'Not found'), h('p', {}, h('a', { href: '#/' }, 'Back to the dashboard')));
}

function renderSignIn() {
  const container = main();
  const problem = h('div');
  const form = h(
    'form',
    { class: 'panel signin', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Sign in to Coffer'),
    problem,
    h('div', { class: 'field' }, h('label', { for: 'username' }, 'User name'), h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true })),
    h('div', { class: 'field' }, h('label', { for: 'password' }, 'Password'), h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'project' }, 'Project ', h('span', { class: 'hint' }, '(only for an administrator without a project)')),
      h('input', { id: 'project', name: 'project', inputmode: 'numeric' }),
    ),
    h('button', { type: 'submit' }, 'Sign in'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const button = form.querySelector('button');
    button.disabled = true;
    try {
      await signIn(String(data.get('username')), String(data.get('password')), String(data.get('project') ?? '').trim());
      await render();
    } catch (error) {
      clear(problem, errorBox(error));
      button.disabled = false;
    }
  });
  clear(container, form);
  document.title = 'Sign in · Coffer console';
  form.querySelector('#username').focus();
}

// After a navigation the new page's heading takes the focus, so keyboard and screen-reader users start there.
window.addEventListener('hashchange', () => {
  // Only `#/…` are pages; other fragments (none are used) leave the page as it is.
  if (location.hash === '' || location.hash.startsWith('#/')) render(true);
});
// The skip link moves the focus without touching the route in the address.
document.querySelector('.skip').addEventListener('click', (event) => {
  event.preventDefault();
  main().focus();
});
onSignedOut.addEventListener('signedout', () => render());
document.getElementById('sign-out').addEventListener('click', async () => {
  // The token is revoked on the server, not only forgotten here; signing out still works when that fails.
  await request('DELETE', '/v2.0/tokens').catch(() => undefined);
  signOut();
  location.hash = '#/';
  render();
});
render();
