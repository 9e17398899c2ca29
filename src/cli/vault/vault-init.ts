import type { Command } from 'commander';
import { initVault } from '../../engine/vault/vault.js';
import { action, backendFor, globalOptions, printJson } from './vault-context.js';
import { readPassword } from './vault-password.js';

export function addInitCommand(vault: Command): void {
  vault
    .command('init')
    .description('create a new, empty vault')
    .action(action(async (_signal, _opts: unknown, cmd: Command) => {
      const options = globalOptions(cmd);
      const backend = backendFor(options);
      const password = await readPassword(options, { confirm: true, prompt: 'new vault password: ' });
      const created = await initVault(backend, password);
      if (options.json) printJson({ id: created.id, location: backend.location, key: created.keyId });
      else process.stdout.write(`created vault ${created.id} at ${backend.location}\nkeep the password safe: without it the data cannot be recovered\n`);
    }));
}
