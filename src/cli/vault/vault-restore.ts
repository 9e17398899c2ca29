import { counted } from '../client/output.js';
import path from 'node:path';
import type { Command } from 'commander';
import type { PathRule } from '../../engine/archiver/path-filter.js';
import { action, collect, globalOptions, openFromOptions, printJson, UsageError } from './vault-context.js';
import { EXIT } from './vault-errors.js';
import { vaultBytes } from './vault-format.js';
import { formatDuration } from '../../terminal/units.js';
import { ProgressLine } from './progress-line.js';

interface RestoreFlags {
  target?: string;
  include?: string[];
  includeFile?: string[];
  exclude?: string[];
  excludeFile?: string[];
  overwrite?: boolean;
  inPlace?: boolean;
}

const rules = (type: PathRule['type'], paths: string[] = []) => paths.map((p) => ({ type, path: p }));

export function addRestoreCommand(vault: Command): void {
  vault
    .command('restore')
    .description('restore a snapshot, or part of it, below a target folder')
    .argument('<snapshot>', 'numeric id, hex id prefix, or "latest"')
    .option('-t, --target <dir>', 'folder to restore into (paths are recreated below it)')
    .option('--in-place', 'restore to the original locations instead of a target folder')
    .option('--include <path>', 'restore only this folder (snapshot path); repeatable', collect)
    .option('--include-file <path>', 'restore only this file (snapshot path); repeatable', collect)
    .option('--exclude <path>', 'skip this folder (snapshot path); repeatable', collect)
    .option('--exclude-file <path>', 'skip this file (snapshot path); repeatable', collect)
    .option('--overwrite', 'replace files that already exist')
    .action(
      action(async (signal, snapshot: string, flags: RestoreFlags, cmd: Command) => {
        const options = globalOptions(cmd);
        if (!flags.target && !flags.inPlace) throw new UsageError('give --target DIR, or --in-place to restore to the original locations');
        if (flags.target && flags.inPlace) throw new UsageError('--target and --in-place exclude each other');
        const vault = await openFromOptions(options);
        const progress = new ProgressLine('restore', !options.json);
        const summary = await vault
          .restore({
            snapshot,
            target: flags.target ? path.resolve(flags.target) : null,
            inclusions: [...rules('folder', flags.include), ...rules('file', flags.includeFile)],
            exclusions: [...rules('folder', flags.exclude), ...rules('file', flags.excludeFile)],
            overwrite: flags.overwrite ?? false,
            signal,
            onProgress: (p) => progress.update(p),
          })
          .finally(() => progress.done());
        if (options.json) printJson(summary);
        else {
          for (const e of summary.errors) process.stderr.write(`error: ${e.path}: ${e.reason}\n`);
          process.stdout.write(
            `restored ${counted(summary.filesRestored, 'file')} (${vaultBytes(summary.bytesRestored)}), ${counted(summary.dirsRestored, 'folder')}, ` +
              `${counted(summary.symlinksRestored, 'symlink')}` +
              (summary.hardLinksRestored ? `, ${counted(summary.hardLinksRestored, 'hard link')}` : '') +
              (summary.specialFilesRestored ? `, ${counted(summary.specialFilesRestored, 'FIFO or device', 'FIFOs or devices')}` : '') +
              ` in ${formatDuration(summary.durationMs)}` +
              (summary.filesSkipped ? `; ${counted(summary.filesSkipped, 'existing file')} left alone (use --overwrite to replace them)` : '') +
              '\n' +
              (summary.errors.length ? `${counted(summary.errors.length, 'item')} could not be restored\n` : ''),
          );
        }
        return summary.errors.length ? EXIT.partial : EXIT.ok;
      }),
    );
}
