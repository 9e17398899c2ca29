import type { Command } from 'commander';
import { encryptPasswordForAgent, vaultPassword, type AgentPublicKey } from '../client/vault-password.js';
import { ApiClient } from '../client/api-client.js';
import { collect, examples, globalOptions, positiveInteger } from '../client/command-kit.js';
import { pathItem } from '../client/configuration-flags.js';
import { expandJobId, findJob, jobPath, parseKind } from '../client/job-kinds.js';
import { reportStartedJob } from '../client/job-start.js';
import { errorLine, watchJob } from '../client/job-watch.js';
import { UsageError } from '../client/errors.js';
import { counted, formatShortTime, formatTable, paintJobState, paintState, printJson, printLine } from '../client/output.js';
import { formatBytes } from '../../terminal/units.js';
import { agentNames, resolveAgent, resolveConfiguration } from '../client/resolve.js';
import { BackupState, CleanupState, JobState } from '../../domain/job-states.js';

export function registerJobCommands(program: Command): void {
  const backup = examples(program.command('backup').description('Start backups'), 'coffer backup start "Web files" --watch');
  const backupStart = backup
    .command('start')
    .description('Back up a configuration now')
    .argument('<config>', 'configuration id, name or id prefix')
    .option('--watch', 'follow the backup with a progress bar until it ends (exit 0 completed, 1 failed or with errors)')
    .action(async (ref: string, options: { watch?: boolean }, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const config = await resolveConfiguration(client, ref);
      const { body: job } = await client.post(client.v2('backups'), { configuration_id: config.id, state: BackupState.start_requested });
      await reportStartedJob(client, 'backup', job, { json: globalOptions(command).json, watch: options.watch });
    });
  examples(backupStart, 'coffer backup start "Web files" --watch', 'coffer backup start 7c8ee069 --json');

  const backups = program
    .command('backups')
    .description('List backups, newest first: SIZE is what the snapshot holds, ADDED what the backup stored in the vault (ids shortened: a unique prefix works in restore, watch and stop)')
    .option('--restorable', 'only backups that can be restored')
    .option('--config <config>', 'only the backups of this configuration')
    .option('--limit <n>', 'how many (default 20)', positiveInteger('--limit'), 20)
    .action(async (options: { restorable?: boolean; config?: string; limit: number }, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const config = options.config ? await resolveConfiguration(client, options.config) : undefined;
      const { body } = await client.get<{ backups: any[] }>(client.v2('backups'), {
        query: { restorable: options.restorable ? 'true' : undefined, configuration_id: config?.id, limit: options.limit },
      });
      if (globalOptions(command).json) return printJson(body);
      if (body.backups.length === 0) return printLine(options.restorable ? 'No restorable backups.' : 'No backups yet.');
      const { body: configs } = await client.get<{ configurations: { id: string; name: string }[] }>(client.v2('configurations'));
      const names = new Map(configs.configurations.map((c) => [c.id, c.name]));
      printLine(
        formatTable(body.backups, [
          { header: 'ID', value: (b) => b.id.slice(0, 8), keep: true },
          { header: 'CONFIG', value: (b) => names.get(b.configuration?.id) ?? b.configuration?.id ?? '-' },
          { header: 'STATE', value: (b) => paintJobState(b) },
          { header: 'ENDED', value: (b) => formatShortTime(b.ended_time), keep: true },
          // What the snapshot holds, and what this backup added to the vault (new data, deduplicated and compressed).
          { header: 'SIZE', value: (b) => formatBytes(b.bytes_searched), align: 'right' },
          { header: 'ADDED', value: (b) => formatBytes(b.bytes_backed_up), align: 'right' },
        ]),
      );
    });
  examples(backups, 'coffer backups --restorable --config "Web files"', 'coffer backups --json');

  const restore = program
    .command('restore')
    .description('Restore a backup onto an agent')
    .argument('<backup>', 'backup id or a unique prefix of it (see coffer backups --restorable)')
    .requiredOption('--agent <agent>', 'agent to restore onto (id, name or id prefix)')
    .option('--path <dir>', 'directory to restore into (default: the original places)')
    .option('--overwrite', 'replace files that already exist')
    .option('--include <path>', 'restore only these folders (or file:/path); repeatable', collect)
    .option('--exclude <path>', 'leave these out; repeatable', collect)
    .option('--watch', 'follow the restore until it ends (exit 0 completed, 1 failed or with errors)')
    .action(async (backupId: string, options: { agent: string; path?: string; overwrite?: boolean; include?: string[]; exclude?: string[]; watch?: boolean }, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const agent = await resolveAgent(client, options.agent);
      const fullBackupId = await expandJobId(client, backupId, 'backup');
      const { body: job } = await client.post(client.v2('restores'), {
        backup_id: fullBackupId,
        destination_agent_id: agent.id,
        destination_path: options.path ?? null,
        overwrite_files: Boolean(options.overwrite),
        encrypted_password_hex: await restorePassword(client, fullBackupId, agent.id),
        inclusions: (options.include ?? []).map(pathItem),
        exclusions: (options.exclude ?? []).map(pathItem),
      });
      await reportStartedJob(client, 'restore', job, { json: globalOptions(command).json, watch: options.watch });
    });
  examples(restore, 'coffer restore 0d95d699-d16b-11e4-93bd-c8e0eb190e3d --agent web-1 --path /tmp/restore --watch');

  const cleanup = examples(program.command('cleanup').description('Start cleanups (remove backups past their retention from the vault)'), 'coffer cleanup start web-1 --watch');
  const cleanupStart = cleanup
    .command('start')
    .description("Clean up an agent's vault now")
    .argument('<agent>', 'agent id, name or id prefix')
    .option('--watch', 'follow the cleanup until it ends')
    .action(async (ref: string, options: { watch?: boolean }, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const agent = await resolveAgent(client, ref);
      const { body: job } = await client.post(client.v2('cleanups'), { agent_id: agent.id, state: CleanupState.start_requested });
      await reportStartedJob(client, 'cleanup', job, { json: globalOptions(command).json, watch: options.watch });
    });
  examples(cleanupStart, 'coffer cleanup start web-1 --watch');

  const stop = program
    .command('stop')
    .description('Ask a running backup, restore or cleanup to stop, or cancel a task')
    .argument('<job>', 'job id or a unique prefix of it')
    .option('--type <type>', 'backup, restore, cleanup or task (found by asking the server when left out)')
    .action(async (ref: string, options: { type?: string }, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const { kind, id } = await findJob(client, ref, parseKind(options.type));
      if (kind === 'task') await client.post(client.v3('tasks', id, 'actions', 'cancel'));
      else await client.patch(jobPath(client, kind, id), [{ op: 'replace', path: '/state', value: JobState.stop_requested }]);
      const { body: job } = await client.get(jobPath(client, kind, id));
      if (globalOptions(command).json) return printJson(job);
      printLine(`Asked ${kind} ${id} to stop; it is ${job.state}.`);
    });
  examples(stop, 'coffer stop 0d95d699-d16b-11e4-93bd-c8e0eb190e3d');

  const watch = program
    .command('watch')
    .description('Follow a job until it ends, with its progress (exit 0 completed, 1 failed or with errors)')
    .argument('<job>', 'job id or a unique prefix of it')
    .option('--type <type>', 'backup, restore, cleanup or task')
    .action(async (ref: string, options: { type?: string }, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const { kind, id } = await findJob(client, ref, parseKind(options.type));
      const json = globalOptions(command).json;
      const { code, job } = await watchJob(client, kind, id, { quiet: json });
      if (json) printJson(job);
      process.exitCode = code;
    });
  examples(watch, 'coffer watch 0d95d699-d16b-11e4-93bd-c8e0eb190e3d');

  const errors = program
    .command('errors')
    .description('Every error a backup, restore or cleanup reported, one per line: the path and what went wrong')
    .argument('<job>', 'job id or a unique prefix of it')
    .option('--type <type>', 'backup, restore or cleanup')
    .action(async (ref: string, options: { type?: string }, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const { kind, id } = await findJob(client, ref, parseKind(options.type));
      if (kind === 'task') throw new UsageError('a task has no error list; see its output with: coffer tasks output TASK');
      const { body } = await client.get<{ count: number; reason: string; diagnostics: string; list: any[] }>(jobPath(client, kind, id, 'errors'));
      if (globalOptions(command).json) return printJson(body);
      if (body.count === 0) return printLine(`The ${kind} reported no errors.`);
      printLine(`${counted(body.count, 'error')}${body.reason ? ` (${body.reason})` : ''}${body.diagnostics ? `: ${body.diagnostics}` : ''}`);
      for (const item of body.list) printLine(`  ${errorLine(item)}`);
      if (body.list.length < body.count) printLine(`  (the agent listed ${body.list.length} of them)`);
    });
  examples(errors, 'coffer errors 2bbbfdba', 'coffer errors 2bbbfdba --json');

  const jobs = program
    .command('jobs')
    .description("Recent backups, restores, cleanups and tasks (the project's activities), newest first; ids shortened, a unique prefix works in watch and stop")
    .option('--type <type>', 'only backup, restore, cleanup or task')
    .option('--state <state>', 'only jobs in this state, e.g. in_progress')
    .option('--agent <agent>', 'only the jobs of this agent')
    .option('--limit <n>', 'how many (default 20)', positiveInteger('--limit'), 20)
    .action(async (options: { type?: string; state?: string; agent?: string; limit: number }, command: Command) => {
      const client = ApiClient.fromStoredSession();
      const agent = options.agent ? await resolveAgent(client, options.agent) : undefined;
      const path = agent ? client.v2('agents', agent.id, 'activities') : client.v2('activities');
      const { body } = await client.get<{ activities: any[] }>(path, { query: { type: parseKind(options.type), state: options.state, limit: options.limit } });
      if (globalOptions(command).json) return printJson(body);
      if (body.activities.length === 0) return printLine('No jobs yet.');
      const names = await agentNames(client);
      printLine(
        formatTable(body.activities, [
          { header: 'ID', value: (a) => a.id.slice(0, 8), keep: true },
          { header: 'TYPE', value: (a) => a.type },
          { header: 'STATE', value: (a) => paintState(a.state) },
          { header: 'UPDATED', value: (a) => formatShortTime(a.last_updated_time), keep: true },
          { header: 'AGENT', value: (a) => names.get(a.agent?.id) ?? a.agent?.id ?? '-' },
        ]),
      );
    });
  examples(jobs, 'coffer jobs', 'coffer jobs --type backup --state failed', 'coffer jobs --agent web-1 --json');
}

/**
 * An encrypted vault needs its password for a restore: asked for here (or COFFER_VAULT_PASSWORD) and encrypted for
 * the destination agent, which alone can read it. Unencrypted vaults send null.
 */
async function restorePassword(client: ApiClient, backupId: string, destinationAgentId: string): Promise<string | null> {
  const { body: backup } = await client.get<{ agent: { id: string } }>(client.v2('backups', backupId));
  const { body: source } = await client.get<{ vault?: { encrypted?: boolean } }>(client.v2('agents', backup.agent.id));
  if (!source.vault?.encrypted) return null;
  const { body: destination } = await client.get<{ rsa_public_key: AgentPublicKey }>(client.v2('agents', destinationAgentId));
  return encryptPasswordForAgent(destination.rsa_public_key, await vaultPassword('Vault password: '));
}
