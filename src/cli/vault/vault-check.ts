import type { Command } from 'commander';
import { action, globalOptions, openFromOptions, printJson } from './vault-context.js';
import { EXIT } from './vault-errors.js';
import { vaultBytes } from './vault-format.js';
import { counted } from '../client/output.js';

export function addCheckCommand(vault: Command): void {
  vault
    .command('check')
    .description('verify the vault structure; with --read-data also every stored byte')
    .option('--read-data', 'read every pack and verify each blob')
    .action(
      action(async (signal, flags: { readData?: boolean }, cmd: Command) => {
        const options = globalOptions(cmd);
        const result = await (await openFromOptions(options)).check({ readData: flags.readData, signal });
        if (options.json) printJson(result);
        else {
          for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
          for (const e of result.errors) process.stderr.write(`error: ${e}\n`);
          process.stdout.write(
            `${counted(result.snapshots, 'snapshot')}, ${counted(result.packs, 'pack')}, ${counted(result.blobs, 'blob')}` +
              (flags.readData ? `, ${vaultBytes(result.bytesRead)} read` : '') +
              `\n${result.ok ? 'no errors found' : `${counted(result.errors.length, 'error')} found`}\n`,
          );
        }
        return result.ok ? EXIT.ok : EXIT.failure;
      }),
    );
}
