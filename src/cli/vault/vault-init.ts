import type { Command } from 'commander';
import { initVault } from '../../engine/vault/vault.js';
import { action, backendFor, globalOptions, printJson, UsageError } from './vault-context.js';
import { readPassword } from './vault-password.js';

export function addInitCommand(vault: Command): void {
  vault
    .command('init')
    .description('create a new, empty vault')
    .option('--compression <setting>', 'fast (default) or small: a smaller vault for about three times the compression CPU', 'fast')
    .action(
      action(async (_signal, flags: { compression: string }, cmd: Command) => {
        const options = globalOptions(cmd);
        if (flags.compression !== 'fast' && flags.compression !== 'small') throw new UsageError('--compression must be fast or small');
        const backend = backendFor(options);
        const password = await readPassword(options, { confirm: true, prompt: 'new vault password: ' });
        const created = await initVault(backend, password, { compression: flags.compression });
        if (options.json) printJson({ id: created.id, location: backend.location, key: created.keyId });
        else process.stdout.write(`created vault ${created.id} at ${backend.location}\nkeep the password safe: without it the data cannot be recovered\n`);
      }),
    );
}
