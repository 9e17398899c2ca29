import type { Command } from 'commander';
import { action, globalOptions, openFromOptions, parseCount, printJson } from './vault-context.js';
import { vaultBytes } from './vault-format.js';

interface ForgetFlags {
  keepLast?: number;
  keepWithinDays?: number;
  host?: string;
  prune?: boolean;
  dryRun?: boolean;
}

export function addForgetCommand(vault: Command): void {
  vault
    .command('forget')
    .description('remove snapshots by a retention policy or by id (data is freed by prune)')
    .argument('[snapshots...]', 'snapshots to remove explicitly')
    .option('--keep-last <n>', 'keep the n newest snapshots of each host and path set', parseCount('--keep-last'))
    .option('--keep-within-days <d>', 'keep snapshots taken in the last d days', parseCount('--keep-within-days'))
    .option('--host <name>', 'only consider snapshots of this host')
    .option('--prune', 'prune right after forgetting')
    .option('--dry-run', 'only show what would be removed')
    .action(
      action(async (_signal, snapshots: string[], flags: ForgetFlags, cmd: Command) => {
        const options = globalOptions(cmd);
        const vault = await openFromOptions(options);
        const policy = { keepLast: flags.keepLast, keepWithinDays: flags.keepWithinDays, host: flags.host, snapshots, dryRun: flags.dryRun };
        if (flags.prune && !flags.dryRun) {
          const result = await vault.prune({ policy });
          if (options.json) return printJson(result);
          process.stdout.write(`removed snapshots: ${result.removedSnapshotIds.join(', ') || 'none'}\nvault size ${vaultBytes(result.bytesBefore)} → ${vaultBytes(result.bytesAfter)}\n`);
          return;
        }
        const result = await vault.forget(policy);
        if (options.json) return printJson(result);
        const verb = flags.dryRun ? 'would remove' : 'removed';
        process.stdout.write(`${verb} snapshots: ${result.removedSnapshotIds.join(', ') || 'none'}\nkept: ${result.keptSnapshotIds.join(', ') || 'none'}\n`);
      }),
    );
}
