import type { Command } from 'commander';
import { ApiClient } from '../client/api-client.js';
import { examples, globalOptions } from '../client/command-kit.js';
import { UsageError } from '../client/errors.js';
import { formatTable, formatTime, paintState, printJson, printLine } from '../client/output.js';
import { passwordFor } from '../client/prompt.js';
import { promptHidden } from '../../terminal/hidden-prompt.js';
import { writeSession } from '../client/session-store.js';

interface User {
  id: string;
  username: string;
  project_id: string | null;
  roles: string[];
  is_admin: boolean;
  disabled: boolean;
  created_at: string;
}

const ROLES = ['observer', 'creator', 'admin'];

/** A user by id or user name (names are unique). */
async function resolveUser(client: ApiClient, ref: string): Promise<User> {
  const { body } = await client.get<{ users: User[] }>('/admin/users');
  const found = body.users.find((u) => u.id === ref) ?? body.users.find((u) => u.username === ref);
  if (!found) throw new UsageError(`no user "${ref}"`);
  return found;
}

/** The new password from COFFER_NEW_PASSWORD, else asked twice on the terminal. */
async function newPassword(): Promise<string> {
  const fromEnv = process.env.COFFER_NEW_PASSWORD;
  if (fromEnv) return fromEnv;
  const noTerminal = 'set COFFER_NEW_PASSWORD (no terminal to ask on)';
  if (!process.stdin.isTTY) throw new UsageError(noTerminal);
  const first = await promptHidden('New password: ', noTerminal);
  if ((await promptHidden('New password again: ', noTerminal)) !== first) throw new UsageError('the two passwords differ');
  return first;
}

export function registerUsersCommands(program: Command): void {
  const users = examples(
    program.command('users').description("Manage users and their tokens (the server's administrator); change your own password"),
    'coffer users',
    'coffer users disable alice',
    'coffer users passwd',
  );

  const list = users
    .command('list', { isDefault: true })
    .description('List users with their project, roles and whether they are disabled')
    .option('--project <id>', 'only the users of this project')
    .action(async (options: { project?: string }, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const { body } = await client.get<{ users: User[] }>('/admin/users', { query: { project_id: options.project } });
      if (globalOptions(command).json) return printJson(body);
      printLine(
        formatTable(body.users, [
          { header: 'USER', value: (u) => u.username, keep: true },
          { header: 'PROJECT', value: (u) => u.project_id ?? (u.is_admin ? '(all)' : '-') },
          { header: 'ROLES', value: (u) => (u.is_admin ? 'administrator' : u.roles.map((r) => r.replace(/^cloudbackup:/, '')).join(', ')) },
          { header: 'STATE', value: (u) => (u.disabled ? paintState('disabled') : 'enabled') },
          { header: 'CREATED', value: (u) => formatTime(u.created_at) },
        ]),
      );
    });
  examples(list, 'coffer users', 'coffer users --project 123456 --json');

  const create = users
    .command('create')
    .description('Create a user in a project (password from COFFER_NEW_PASSWORD or asked twice)')
    .argument('<name>', 'user name')
    .requiredOption('--project <id>', 'the project the user works in')
    .option('--role <role>', `one of ${ROLES.join(', ')}`, 'observer')
    .action(async (name: string, options: { project: string; role: string }, command: Command) => {
      if (!ROLES.includes(options.role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
      const client = ApiClient.fromStoredSession();
      const { body } = await client.post('/admin/users', { username: name, password: await newPassword(), project_id: options.project, roles: [`cloudbackup:${options.role}`] });
      if (globalOptions(command).json) return printJson(body);
      printLine(`User ${body.username} (${body.id}) created in project ${body.project_id}.`);
    });
  examples(create, 'COFFER_NEW_PASSWORD=… coffer users create alice --project 123456 --role creator');

  for (const [name, describe] of [
    ['disable', 'Disable a user: it can no longer log in and its tokens stop working'],
    ['enable', 'Let a disabled user log in again'],
  ] as const) {
    const cmd = users
      .command(name)
      .description(describe)
      .argument('<user>', 'user name or id')
      .action(async (ref: string, _options: unknown, command: Command) => {
        const client = ApiClient.fromStoredSession();
        const user = await resolveUser(client, ref);
        const { body } = await client.post<User>(`/admin/users/${encodeURIComponent(user.id)}/actions/${name}`);
        if (globalOptions(command).json) return printJson(body);
        printLine(`User ${user.username} is ${body.disabled ? 'disabled; its tokens were revoked' : 'enabled'}.`);
      });
    examples(cmd, `coffer users ${name} alice`);
  }

  const remove = users
    .command('remove')
    .description('Delete a user; its tokens stop working at once')
    .argument('<user>', 'user name or id')
    .action(async (ref: string, _options: unknown, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const user = await resolveUser(client, ref);
      await client.delete(`/admin/users/${encodeURIComponent(user.id)}`);
      if (globalOptions(command).json) return printJson({ id: user.id, deleted: true });
      printLine(`User ${user.username} removed.`);
    });
  examples(remove, 'coffer users remove alice');

  const revoke = users
    .command('revoke-tokens')
    .description('Revoke every token of a user (yours when no user is named: other sessions are logged out)')
    .argument('[user]', 'user name or id')
    .action(async (ref: string | undefined, _options: unknown, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const id = ref ? (await resolveUser(client, ref)).id : 'me';
      const { body } = await client.delete(`/admin/users/${encodeURIComponent(id)}/tokens`);
      if (globalOptions(command).json) return printJson(body);
      printLine(`${body.revoked} token(s) revoked.`);
    });
  examples(revoke, 'coffer users revoke-tokens alice');

  const passwd = users
    .command('passwd')
    .description("Change your password (current one from COFFER_PASSWORD or asked), or, as administrator, any user's; the new one from COFFER_NEW_PASSWORD or asked")
    .argument('[user]', 'user name or id (default: yourself)')
    .action(async (ref: string | undefined, _options: unknown, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const self = ref === undefined || ref === client.current.user;
      const id = self ? 'me' : (await resolveUser(client, ref)).id;
      const body = self ? { current_password: await passwordFor(client.current.user), password: await newPassword() } : { password: await newPassword() };
      await client.request('PUT', `/admin/users/${encodeURIComponent(id)}/password`, { body });
      // The token of this session stays valid; the stored session needs nothing new.
      if (self) writeSession(client.current);
      if (globalOptions(command).json) return printJson({ user: ref ?? client.current.user, changed: true });
      printLine(self ? 'Your password is changed; your other sessions were logged out.' : `The password of ${ref} is changed; its sessions were logged out.`);
    });
  examples(passwd, 'coffer users passwd', 'COFFER_NEW_PASSWORD=… coffer users passwd alice');
}
