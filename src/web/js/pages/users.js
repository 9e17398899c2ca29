import { del, get, post, request, session } from '../api.js';
import { clear, errorBox, flash, h, stateBadge, table, when } from '../dom.js';

/** The server's administrator (not a project's): the only one who manages users. */
function isServerAdmin() {
  return (session()?.roles ?? []).includes('admin');
}

function field(id, label, control) {
  return h('div', { class: 'field' }, h('label', { for: id }, label), control);
}

function passwordForm() {
  const problem = h('div');
  const input = (id, name, autocomplete) => h('input', { id, name, type: 'password', required: true, minlength: 8, autocomplete });
  const form = h(
    'form',
    { class: 'panel', 'aria-labelledby': 'password-title' },
    h('h2', { id: 'password-title' }, 'Your password'),
    problem,
    field('pw-current', 'Current password', input('pw-current', 'current', 'current-password')),
    field('pw-new', 'New password (8 characters or more)', input('pw-new', 'password', 'new-password')),
    field('pw-again', 'New password again', input('pw-again', 'again', 'new-password')),
    h('div', { class: 'row' }, h('button', { type: 'submit' }, 'Change password')),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    clear(problem);
    if (data.get('password') !== data.get('again')) return clear(problem, errorBox(new Error('The two new passwords differ.')));
    try {
      await request('PUT', '/admin/users/me/password', { body: { current_password: String(data.get('current')), password: String(data.get('password')) } });
      form.reset();
      flash('Your password is changed; your other sessions were signed out.');
    } catch (error) {
      clear(problem, errorBox(error));
    }
  });
  return form;
}

function action(label, run, danger = false) {
  return h(
    'button',
    {
      type: 'button',
      class: danger ? 'danger' : 'secondary',
      onclick: async () => {
        try {
          await run();
        } catch (error) {
          flash(error.message, 'error');
        }
      },
    },
    label,
  );
}

async function usersSection(redraw) {
  const { users } = await get('/admin/users');
  const me = session()?.user;
  return [
    h('h2', {}, 'All users'),
    table(
      [
        { label: 'User', cell: (u) => u.username },
        { label: 'Project', cell: (u) => u.project_id ?? (u.is_admin ? 'all (administrator)' : '–') },
        { label: 'Roles', cell: (u) => (u.is_admin ? 'administrator' : u.roles.map((r) => r.replace(/^cloudbackup:/, '')).join(', ')) },
        { label: 'State', cell: (u) => (u.disabled ? stateBadge('disabled') : 'enabled') },
        { label: 'Created', class: 'opt', cell: (u) => when(u.created_at) },
        {
          label: 'Actions',
          cell: (u) =>
            u.username === me
              ? h('span', { class: 'muted' }, 'you')
              : h(
                  'div',
                  { class: 'row' },
                  action(u.disabled ? 'Enable' : 'Disable', async () => {
                    await post(`/admin/users/${encodeURIComponent(u.id)}/actions/${u.disabled ? 'enable' : 'disable'}`);
                    flash(`User ${u.username} is ${u.disabled ? 'enabled' : 'disabled; its sessions ended'}.`);
                    await redraw();
                  }),
                  action('End sessions', async () => {
                    const { revoked } = await request('DELETE', `/admin/users/${encodeURIComponent(u.id)}/tokens`);
                    flash(`${revoked} session(s) of ${u.username} ended.`);
                  }),
                  action(
                    'Delete',
                    async () => {
                      if (!confirm(`Delete user ${u.username}?`)) return;
                      await del(`/admin/users/${encodeURIComponent(u.id)}`);
                      flash(`User ${u.username} deleted.`);
                      await redraw();
                    },
                    true,
                  ),
                ),
        },
      ],
      users,
      'No users.',
    ),
  ];
}

export async function usersPage(main) {
  const redraw = () => usersPage(main);
  const admin = isServerAdmin() ? await usersSection(redraw) : [h('p', { class: 'muted' }, "Users are managed by the server's administrator.")];
  clear(main, h('h1', {}, 'Users'), passwordForm(), ...admin);
}
