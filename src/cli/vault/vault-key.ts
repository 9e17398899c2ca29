import type { Command } from 'commander';
import { action, globalOptions, openFromOptions, printJson } from './vault-context.js';
import { readPassword } from './vault-password.js';

export function addKeyCommands(vault: Command): void {
  const key = vault.command('key').description('manage the passwords that open the vault');
  key
    .command('add')
    .description('add another password')
    .option('--new-password-file <file>', 'read the new password from this file')
    .action(
      action(async (_signal, flags: { newPasswordFile?: string }, cmd: Command) => {
        const options = globalOptions(cmd);
        const vault = await openFromOptions(options);
        const password = flags.newPasswordFile ? await readPassword({ passwordFile: flags.newPasswordFile }) : await readPassword({}, { confirm: true, prompt: 'new password: ' });
        const id = await vault.addKey(password);
        if (options.json) printJson({ id });
        else process.stdout.write(`added key ${id.slice(0, 12)}\n`);
      }),
    );
  key
    .command('list')
    .description('list the key files')
    .action(
      action(async (_signal, _flags: unknown, cmd: Command) => {
        const options = globalOptions(cmd);
        const keys = await (await openFromOptions(options)).listKeys();
        if (options.json) return printJson(keys);
        for (const k of keys) process.stdout.write(`${k.current ? '*' : ' '} ${k.id.slice(0, 12)}  ${k.created}  ${k.username}@${k.host}\n`);
      }),
    );
  key
    .command('remove')
    .description('remove a key file (not the one in use)')
    .argument('<id>', 'key id or unique prefix')
    .action(
      action(async (_signal, id: string, _flags: unknown, cmd: Command) => {
        await (await openFromOptions(globalOptions(cmd))).removeKey(id);
        process.stdout.write(`removed key ${id}\n`);
      }),
    );
}
