import type { Command } from 'commander';
import { encryptPasswordForAgent, vaultPassword, type AgentPublicKey } from '../client/vault-password.js';
import { ApiClient } from '../client/api-client.js';
import { examples, globalOptions } from '../client/command-kit.js';
import { UsageError } from '../client/errors.js';
import { formatFields, formatTable, formatTime, paintState, printJson, printLine } from '../client/output.js';
import { resolveAgent } from '../client/resolve.js';

const LOG_LEVELS = ['all', 'trace', 'debug', 'info', 'warn', 'error', 'fatal'];

interface AgentStatus {
  online?: boolean;
  busy?: boolean;
}

async function statusOf(client: ApiClient, agentId: string): Promise<AgentStatus | undefined> {
  const response = await client.get<AgentStatus>(client.v2('agents', agentId, 'status'), { accept: [404, 405] });
  return response.status === 200 ? response.body : undefined;
}

function statusWord(status: AgentStatus | undefined): string {
  if (!status) return '?';
  if (!status.online) return paintState('offline');
  return status.busy ? paintState('busy') : paintState('online');
}

export function registerAgentsCommands(program: Command): void {
  const agents = examples(program.command('agents').description('List and manage the agents (the machines that are backed up)'), 'coffer agents', 'coffer agents disable web-1');

  const list = agents
    .command('list', { isDefault: true })
    .description('List agents with whether they are online and busy (ids shortened: any unique prefix, or the name, works in other commands)')
    .action(async (_options: unknown, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const { body } = await client.get<{ agents: any[] }>(client.v2('agents'));
      const statuses = await Promise.all(body.agents.map((agent) => statusOf(client, agent.id)));
      if (globalOptions(command).json) {
        return printJson({ agents: body.agents.map((agent, i) => ({ ...agent, status: statuses[i] ?? null })) });
      }
      if (body.agents.length === 0) return printLine('No agents yet. Install one with: coffer agent register --api URL --user NAME');
      const rows = body.agents.map((agent, i) => ({ agent, status: statuses[i] }));
      printLine(
        formatTable(rows, [
          { header: 'ID', value: (r) => r.agent.id.slice(0, 8), keep: true },
          { header: 'NAME', value: (r) => r.agent.name },
          { header: 'STATUS', value: (r) => statusWord(r.status) },
          { header: 'ENABLED', value: (r) => (r.agent.enabled ? 'yes' : paintState('disabled')) },
          { header: 'OS', value: (r) => `${r.agent.host?.os?.name ?? ''} ${r.agent.host?.os?.version ?? ''}`.trim() },
        ]),
      );
    });
  examples(list, 'coffer agents', 'coffer agents --json');

  const show = agents
    .command('show')
    .description('Details of one agent (by id, name or id prefix)')
    .argument('<agent>', 'agent id, name or id prefix')
    .action(async (ref: string, _options: unknown, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const found = await resolveAgent(client, ref);
      const [{ body: agent }, status] = await Promise.all([client.get(client.v2('agents', found.id)), statusOf(client, found.id)]);
      if (globalOptions(command).json) return printJson({ ...agent, status: status ?? null });
      printLine(
        formatFields([
          ['id', agent.id],
          ['name', agent.name],
          ['status', statusWord(status)],
          ['enabled', agent.enabled ? 'yes' : 'no'],
          ['version', agent.version ?? '-'],
          ['host', `${agent.host?.os?.name ?? ''} ${agent.host?.os?.version ?? ''} ${agent.host?.os?.architecture ?? ''}`.trim()],
          ['addresses', (agent.host?.addresses ?? []).map((a: { addr: string }) => a.addr).join(', ') || '-'],
          ['log level', agent.log_level ?? '-'],
          ['vault', `${agent.vault?.id ?? '-'}${agent.vault?.encrypted ? ' (encrypted)' : ''}`],
          ['vault key', vaultKeyWords(agent.vault)],
          ['registered', formatTime(agent.registered_time)],
        ]),
      );
    });
  examples(show, 'coffer agents show web-1');

  for (const [name, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    const cmd = agents
      .command(name)
      .description(enabled ? 'Let the agent run backups again' : 'Stop the agent from running backups until enabled again')
      .argument('<agent>', 'agent id, name or id prefix')
      .action(async (ref: string, _options: unknown, command: Command) => {
        const client = ApiClient.fromStoredSession();
        const agent = await resolveAgent(client, ref);
        await client.patch(client.v2('agents', agent.id), [{ op: 'replace', path: '/enabled', value: enabled }]);
        if (globalOptions(command).json) return printJson((await client.get(client.v2('agents', agent.id))).body);
        printLine(`Agent ${agent.name} (${agent.id}) is ${enabled ? 'enabled' : 'disabled'}.`);
      });
    examples(cmd, `coffer agents ${name} web-1`);
  }

  const remove = agents
    .command('remove')
    .description('Delete an agent with its configurations and jobs')
    .argument('<agent>', 'agent id, name or id prefix')
    .action(async (ref: string, _options: unknown, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const agent = await resolveAgent(client, ref);
      await client.delete(client.v2('agents', agent.id));
      if (globalOptions(command).json) return printJson({ id: agent.id, deleted: true });
      printLine(`Agent ${agent.name} (${agent.id}) removed.`);
    });
  examples(remove, 'coffer agents remove 8f135b4f');

  const encrypt = agents
    .command('encrypt')
    .description("Protect the agent's vault with a password of yours (or change it); restores will ask for it")
    .argument('<agent>', 'agent id, name or id prefix')
    .option('--wait', "wait (up to a minute) for the agent's answer")
    .action(async (ref: string, options: { wait?: boolean }, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const found = await resolveAgent(client, ref);
      const { body: agent } = await client.get<{ id: string; name: string; vault: { encrypted: boolean }; rsa_public_key: AgentPublicKey }>(client.v2('agents', found.id));
      // The server never sees the passwords: each is encrypted for the agent's own key.
      const oldPassword = agent.vault.encrypted ? await vaultPassword('Current vault password: ', 'COFFER_OLD_VAULT_PASSWORD') : null;
      const newPassword = await vaultPassword('New vault password: ');
      if (newPassword.length < 8) throw new UsageError('the vault password must be at least 8 characters');
      const response = await client.post(client.v2('agents', agent.id, 'vault-encryption-requests'), {
        old_encrypted_password_hex: oldPassword === null ? null : encryptPasswordForAgent(agent.rsa_public_key, oldPassword),
        new_encrypted_password_hex: encryptPasswordForAgent(agent.rsa_public_key, newPassword),
      });
      const location = response.headers.get('location') ?? '';
      let result: { succeeded?: boolean } | undefined;
      for (const deadline = Date.now() + 60_000; options.wait && result === undefined && Date.now() < deadline;) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const answer = await client.fetchRaw(location);
        if (answer.status === 200) result = (await answer.json()) as { succeeded?: boolean };
      }
      if (globalOptions(command).json) return printJson({ request: location, result: result ?? null });
      if (!options.wait) return printLine(`Asked ${agent.name} to ${agent.vault.encrypted ? 'change' : 'enable'} its vault encryption (${location}).`);
      if (result === undefined) throw new Error(`${agent.name} did not answer within a minute; it will when it is online (${location})`);
      if (!result.succeeded) throw new Error(`${agent.name} could not ${agent.vault.encrypted ? 'change' : 'enable'} the vault encryption`);
      printLine(`${agent.name}'s vault is encrypted with the new password.`);
    });
  examples(encrypt, 'COFFER_VAULT_PASSWORD=… coffer agents encrypt web-1 --wait');

  const logLevel = agents
    .command('log-level')
    .description(`Set how much the agent logs: ${LOG_LEVELS.join(', ')}`)
    .argument('<agent>', 'agent id, name or id prefix')
    .argument('<level>', LOG_LEVELS.join('|'))
    .action(async (ref: string, level: string, _options: unknown, command: Command) => {
      const wanted = level.toLowerCase();
      if (!LOG_LEVELS.includes(wanted)) throw new UsageError(`log level must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
      const client = ApiClient.fromStoredSession();
      const agent = await resolveAgent(client, ref);
      await client.patch(client.v2('agents', agent.id), [{ op: 'replace', path: '/log_level', value: wanted }]);
      if (globalOptions(command).json) return printJson((await client.get(client.v2('agents', agent.id))).body);
      printLine(`Agent ${agent.name} now logs at level ${wanted}.`);
    });
  examples(logLevel, 'coffer agents log-level web-1 debug');
}

/** Who can open the agent's vault once its host is gone (docs/disaster-recovery.md); the console words it alike. */
export function vaultKeyWords(vault: { key_custody?: string; encrypted?: boolean } | undefined): string {
  if (vault?.key_custody === 'server') return 'server-held: any agent of the project can restore its backups';
  if (vault?.encrypted) return 'private: restores elsewhere need the vault password';
  return 'private, no vault password yet: only this host can open its backups';
}
