import type { Command } from 'commander';
import { action, globalOptions, openFromOptions, parseCount, printJson } from './vault-context.js';
import { vaultBytes } from './vault-format.js';

export function addPruneCommand(vault: Command): void {
  vault
    .command('prune')
    .description('remove data that no snapshot needs (optionally applying a retention policy first)')
    .option('--keep-last <n>', 'first forget all but the n newest snapshots of each host and path set', parseCount('--keep-last'))
    .option('--keep-within-days <d>', 'first forget snapshots older than d days', parseCount('--keep-within-days'))
    .action(
      action(async (signal, flags: { keepLast?: number; keepWithinDays?: number }, cmd: Command) => {
        const options = globalOptions(cmd);
        const vault = await openFromOptions(options);
        const hasPolicy = flags.keepLast !== undefined || flags.keepWithinDays !== undefined;
        const result = await vault.prune({ signal, ...(hasPolicy ? { policy: { keepLast: flags.keepLast, keepWithinDays: flags.keepWithinDays } } : {}) });
        if (options.json) return printJson(result);
        process.stdout.write(
          `removed snapshots: ${result.removedSnapshotIds.join(', ') || 'none'}\n` +
            `packs: ${result.packsRemoved} removed, ${result.packsRepacked} repacked into ${result.packsWritten}; ${result.blobsRemoved} blobs dropped\n` +
            `vault size ${vaultBytes(result.bytesBefore)} → ${vaultBytes(result.bytesAfter)}\n`,
        );
      }),
    );
}
