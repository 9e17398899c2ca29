import type { Command } from 'commander';
import { loadServerConfig } from '../../config.js';
import { backupServerData } from './server-backup.js';
import { restoreServerData } from './server-restore.js';

/** `coffer server backup` and `coffer server restore`: the server's own data (see docs/disaster-recovery.md). */
export function registerServerDataCommands(program: Command): void {
  const server = program.command('server').description("the API server's own data: back it up, restore it on a new machine");
  const say = (line: string) => process.stdout.write(`${line}\n`);

  server
    .command('backup')
    .description('copy the database (consistent while the server runs), vault files, log files and TLS key pair into DIR')
    .requiredOption('--to <dir>', 'the folder to write (again into the same folder: only new files are copied)')
    .option('--data-dir <dir>', "the server's data folder (env COFFER_DATA_DIR, default ./data)")
    .addHelpText('after', '\nExample:\n  coffer server backup --data-dir /var/lib/coffer --to /mnt/offsite/coffer-server\n')
    .action(async (options: { to: string; dataDir?: string }) => {
      const config = loadServerConfig({ ...process.env, ...(options.dataDir ? { COFFER_DATA_DIR: options.dataDir } : {}) });
      await backupServerData(config, options.to, say);
      say(`server backup written to ${options.to}`);
    });

  server
    .command('restore')
    .description('put a server backup into an empty data folder; then start the server on it')
    .requiredOption('--from <dir>', 'a folder written by "coffer server backup"')
    .option('--data-dir <dir>', 'the new, empty data folder (env COFFER_DATA_DIR, default ./data)')
    .addHelpText('after', '\nExample:\n  coffer server restore --from /mnt/offsite/coffer-server --data-dir /var/lib/coffer\n')
    .action(async (options: { from: string; dataDir?: string }) => {
      const config = loadServerConfig({ ...process.env, ...(options.dataDir ? { COFFER_DATA_DIR: options.dataDir } : {}) });
      await restoreServerData(options.from, config.dataDir, config.storage.kind === 'local' ? config.storage.root : null, say);
      say(`restored into ${config.dataDir}; start the server with: coffer serve --data-dir ${config.dataDir}`);
    });
}
