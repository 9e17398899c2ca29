import type { Command } from 'commander';
import { action, globalOptions, openFromOptions, printJson } from './vault-context.js';
import { vaultBytes } from './vault-format.js';

export function addStatsCommand(vault: Command): void {
  vault
    .command('stats')
    .description('show how much the vault stores and saves')
    .action(
      action(async (_signal, _flags: unknown, cmd: Command) => {
        const options = globalOptions(cmd);
        const s = await (await openFromOptions(options)).stats();
        if (options.json) return printJson(s);
        process.stdout.write(
          `snapshots:          ${s.snapshots}\n` +
            `vault size:         ${vaultBytes(s.totalBytes)} (${s.packs} packs)\n` +
            `unique data:        ${vaultBytes(s.uniqueBytes)} in ${s.dataBlobs} chunks, ${s.treeBlobs} trees\n` +
            `stored (packed):    ${vaultBytes(s.storedBytes)} (compression ${s.compressionRatio.toFixed(2)}×)\n` +
            `all snapshots hold: ${vaultBytes(s.restoreBytes)} (dedup ${(s.restoreBytes / Math.max(1, s.totalBytes)).toFixed(2)}×)\n`,
        );
      }),
    );
}
