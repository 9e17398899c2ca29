import type { Command } from 'commander';

/** The first letter `ls -l` shows for each kind of entry. */
const TYPE_LETTER: Record<string, string> = { dir: 'd', symlink: 'l', fifo: 'p', socket: 's', chardev: 'c', blockdev: 'b' };
import { action, globalOptions, openFromOptions, printJson } from './vault-context.js';
import { vaultBytes } from './vault-format.js';

export function addLsCommand(vault: Command): void {
  vault
    .command('ls')
    .description('list files in a snapshot')
    .argument('<snapshot>', 'numeric id, hex id prefix, or "latest"')
    .argument('[path]', 'folder inside the snapshot', '/')
    .option('-r, --recursive', 'list everything below the folder')
    .action(
      action(async (_signal, snapshot: string, dir: string, flags: { recursive?: boolean }, cmd: Command) => {
        const options = globalOptions(cmd);
        const entries = await (await openFromOptions(options)).ls(snapshot, dir, { recursive: flags.recursive });
        if (options.json) return printJson(entries);
        for (const e of entries) {
          const mode = `${TYPE_LETTER[e.type] ?? '-'}${(e.mode & 0o7777).toString(8).padStart(4, '0')}`;
          const size = e.type === 'file' ? vaultBytes(e.size) : '';
          process.stdout.write(
            `${mode}  ${String(e.uid).padStart(5)} ${String(e.gid).padStart(5)}  ${size.padStart(10)}  ${e.mtime.slice(0, 19).replace('T', ' ')}  ${e.path}${e.target !== undefined ? ` -> ${e.target}` : ''}\n`,
          );
        }
      }),
    );
}
