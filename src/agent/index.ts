import path from 'node:path';
import type { Command } from 'commander';
import { defaultConfigPath, loadAgentConfig, logFileOf } from './agent-config.js';
import { AgentDaemon } from './agent-daemon.js';
import { openAgentLog } from './agent-log.js';
import { registerThisHost } from './agent-register.js';
import { DEFAULT_TASK_USER, type TaskSettings } from './jobs/task-policy.js';
import { AgentGoneError } from './session.js';
import { promptHidden } from '../terminal/hidden-prompt.js';

/** `coffer agent run` exits with this when the server no longer knows the agent (see docs/agent.md). */
export const AGENT_GONE_EXIT_CODE = 3;

function taskSettingsFrom(options: { allowTasks?: boolean; taskUser?: string; taskAllow?: string[] }): TaskSettings | undefined {
  if (!options.allowTasks) {
    if (options.taskUser || options.taskAllow) throw new Error('--task-user and --task-allow need --allow-tasks');
    return undefined;
  }
  return { enabled: true, ...(options.taskUser ? { user: options.taskUser } : {}), ...(options.taskAllow ? { allowedCommands: options.taskAllow } : {}) };
}

/** `coffer agent register` and `coffer agent run`. */
export function registerAgentCommands(program: Command): void {
  const agent = program.command('agent').description('the backup agent that runs on each server: register it once, then run it as a service');

  agent
    .command('register')
    .description('register this host with a Coffer server (once) and write the agent configuration file')
    .requiredOption('--api <url>', 'the Coffer server, e.g. https://backup.example.com')
    .requiredOption('--user <name>', 'a user with the creator or admin role (password from COFFER_PASSWORD, API key from COFFER_API_KEY, or asked)')
    .option('--project <id>', "project to register in (default: the user's project)")
    .option('--name <name>', 'agent name (default: the host name)')
    .option('--config <file>', 'agent configuration file', defaultConfigPath())
    .option('--force', 'register again as a new agent even if this host is registered')
    .option('--private-vault', 'the server keeps no recovery copy of the vault key: only a vault password you set (coffer agents encrypt) opens the backups on another host')
    .option('--replace <agent>', 'this host replaces that agent (id or name), whose host is gone: adopt its vault, configurations and history')
    .option('--allow-tasks', 'let users with the creator role run commands (tasks) on this host; off by default')
    .option('--task-user <name>', `the unprivileged account tasks run as (default: ${DEFAULT_TASK_USER}); never root`)
    .option('--task-allow <prefix>', 'allow only commands starting with this prefix (repeat for more); the list stays on this host', (value: string, previous: string[] = []) => [...previous, value])
    .action(
      async (options: {
        api: string;
        user: string;
        project?: string;
        name?: string;
        config: string;
        force?: boolean;
        privateVault?: boolean;
        replace?: string;
        allowTasks?: boolean;
        taskUser?: string;
        taskAllow?: string[];
      }) => {
        const apiKey = process.env.COFFER_API_KEY;
        const secret = process.env.COFFER_PASSWORD ?? apiKey ?? (await promptHidden(`Password for ${options.user}: `, 'no terminal to ask for a password on; set COFFER_PASSWORD (or COFFER_API_KEY)'));
        const configPath = path.resolve(options.config);
        const { config, replaced } = await registerThisHost({
          api: options.api,
          user: options.user,
          secret,
          apiKey: process.env.COFFER_PASSWORD === undefined && apiKey !== undefined,
          configPath,
          project: options.project,
          name: options.name,
          vaultPassword: process.env.COFFER_VAULT_PASSWORD,
          force: options.force,
          keyCustody: options.privateVault ? 'private' : 'server',
          replace: options.replace,
          tasks: taskSettingsFrom(options),
        });
        const custody = options.privateVault
          ? `the vault is private: set its password now with "coffer agents encrypt ${config.agentId}", else only this host can open its backups\n`
          : 'the server keeps a recovery copy of the vault key: any agent of the project can restore its backups\n';
        process.stdout.write(
          `registered agent ${config.agentId} in project ${config.projectId}\n` +
            (replaced ? `it replaces ${replaced.name} (${replaced.id}): its vault, configurations and backups are now this agent's\n` : '') +
            `configuration: ${configPath} (mode 0600; it holds this host's vault key)\n` +
            custody +
            `tasks: ${config.tasks?.enabled ? `enabled, run as ${config.tasks.user ?? DEFAULT_TASK_USER}${config.tasks.allowedCommands ? ` (only ${config.tasks.allowedCommands.join(', ')})` : ''}` : 'off (register with --allow-tasks to enable them)'}\n` +
            `start it with: coffer agent run --config ${configPath}\n`,
        );
      },
    );

  agent
    .command('run')
    .description('run the agent: listen for work from the server and do it (stops on SIGTERM or SIGINT)')
    .option('--config <file>', 'agent configuration file', defaultConfigPath())
    .action(async (options: { config: string }) => {
      const configPath = path.resolve(options.config);
      const config = await loadAgentConfig(configPath);
      const log = openAgentLog(logFileOf(config, configPath));
      const daemon = new AgentDaemon(config, configPath, log);
      let stopping = false;
      const stop = () => {
        if (stopping) return;
        stopping = true;
        void daemon.shutdown().finally(() => process.exit(0));
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
      try {
        await daemon.run();
      } catch (error) {
        if (!(error instanceof AgentGoneError)) throw error;
        // One line, then out with its own exit code (a service manager is told not to restart on it).
        process.stderr.write(`coffer: ${error.message}\n`);
        process.exit(AGENT_GONE_EXIT_CODE);
      }
    });
}
