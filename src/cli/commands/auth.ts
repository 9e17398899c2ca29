import type { Command } from 'commander';
import { ApiClient, logIn } from '../client/api-client.js';
import { examples, globalOptions } from '../client/command-kit.js';
import { UsageError } from '../client/errors.js';
import { formatFields, formatTime, printJson, printLine } from '../client/output.js';
import { passwordFor } from '../client/prompt.js';
import { readSession, removeSession, sessionFile, writeSession } from '../client/session-store.js';

async function revokeOnServer(api: string, token: string): Promise<boolean> {
  try {
    const response = await fetch(`${api}/v2.0/tokens`, { method: 'DELETE', headers: { 'x-auth-token': token } });
    // 401/404: the token was already invalid, which is what logging out wants.
    return response.status === 204 || response.status === 401 || response.status === 404;
  } catch {
    return false;
  }
}

export function registerAuthCommands(program: Command): void {
  const login = program
    .command('login')
    .description('Sign in to a Coffer server and remember the token (password from COFFER_PASSWORD or a prompt)')
    .option('--api <url>', 'address of the server, e.g. https://backup.example.com (default: the last one used)')
    .option('--user <name>', 'user name (default: the last one used)')
    .option('--project <id>', 'project to work in (default: the project of the user; needed by a global administrator)')
    .action(async (options: { api?: string; user?: string; project?: string }, command: Command) => {
      const previous = readSession();
      const api = options.api ?? previous?.api;
      const user = options.user ?? previous?.user;
      if (!api) throw new UsageError('--api URL is required the first time');
      if (!user) throw new UsageError('--user NAME is required the first time');
      if (!/^https?:\/\//.test(api)) throw new UsageError(`--api must be an http:// or https:// address, got "${api}"`);
      const session = await logIn(api, user, await passwordFor(user));
      if (options.project) session.project = options.project;
      else if (!session.project && previous?.api === session.api && previous.user === session.user) session.project = previous.project;
      const file = writeSession(session);
      if (globalOptions(command).json) return printJson({ api: session.api, user: session.user, project: session.project, expires: session.expires, roles: session.roles });
      if (session.project) return printLine(`Logged in to ${session.api} as ${session.user} (project ${session.project}); the token is kept in ${file}.`);
      printLine(`Logged in to ${session.api} as ${session.user}, in no project; the token is kept in ${file}.`);
      printLine('Agents, configurations and jobs belong to a project: log in with --project ID to work on one.');
    });
  examples(login, 'coffer login --api http://localhost:8080 --user admin', 'COFFER_PASSWORD=secret coffer login --api https://backup.example.com --user alice');

  const logout = program
    .command('logout')
    .description('Revoke the stored token on the server and forget it')
    .action(async (_options: unknown, command: Command) => {
      const session = readSession();
      // Revoked first, so a copy of the token is worthless too; forgotten here even when the server is unreachable.
      const revoked = session ? await revokeOnServer(session.api, session.token) : false;
      const removed = removeSession();
      if (globalOptions(command).json) return printJson({ logged_out: removed, revoked });
      printLine(!removed ? 'Not logged in.' : revoked ? 'Logged out; the token is revoked.' : 'Logged out here (the server could not be told; the token stays valid until it expires).');
    });
  examples(logout, 'coffer logout');

  const whoami = program
    .command('whoami')
    .description('Show who you are signed in as, on which server and project')
    .action(async (_options: unknown, command: Command) => {
      const client = ApiClient.fromStoredSession();
      // A cheap authenticated call proves the token still works (and renews it when it has expired).
      await client.get(client.v2('agents'));
      const session = client.current;
      const facts = { api: session.api, user: session.user, project: session.project, roles: session.roles, expires: session.expires, config: sessionFile() };
      if (globalOptions(command).json) return printJson(facts);
      printLine(
        formatFields([
          ['user', session.user],
          ['server', session.api],
          ['project', session.project || '-'],
          ['roles', session.roles.join(', ') || '-'],
          ['token until', formatTime(session.expires)],
        ]),
      );
    });
  examples(whoami, 'coffer whoami', 'coffer whoami --json');
}
