import type { Command } from 'commander';
import { action, globalOptions, openFromOptions, printJson } from './vault-context.js';
import { vaultBytes, table } from './vault-format.js';

export function addSnapshotsCommand(vault: Command): void {
  vault
    .command('snapshots')
    .description('list the snapshots, oldest first')
    .option('--host <name>', 'only this host')
    .action(
      action(async (_signal, flags: { host?: string }, cmd: Command) => {
        const options = globalOptions(cmd);
        const snapshots = (await (await openFromOptions(options)).listSnapshots()).filter((s) => !flags.host || s.host === flags.host);
        if (options.json) return printJson(snapshots);
        const rows = snapshots.map((s) => [
          String(s.id),
          s.hash.slice(0, 8),
          s.time.replace('T', ' ').slice(0, 19),
          s.host,
          s.tags.join(','),
          String(s.summary.totalFiles),
          vaultBytes(s.summary.totalBytes),
          s.paths.join(' '),
        ]);
        process.stdout.write(`${table(['ID', 'HASH', 'TIME (UTC)', 'HOST', 'TAGS', 'FILES', 'SIZE', 'PATHS'], rows)}\n${snapshots.length} snapshots\n`);
      }),
    );
}
