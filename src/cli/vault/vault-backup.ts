import path from 'node:path';
import type { Command } from 'commander';
import { addExclusionFlags, exclusionsFromFlags, type ExclusionFlags } from '../exclusion-flags.js';
import { action, collect, globalOptions, openFromOptions, printJson, UsageError } from './vault-context.js';
import { EXIT } from './vault-errors.js';
import { vaultBytes } from './vault-format.js';
import { formatDuration } from '../../terminal/units.js';
import { ProgressLine } from './progress-line.js';

interface BackupFlags extends ExclusionFlags {
  tag?: string[];
  host?: string;
  parent?: string;
  force?: boolean;
}

export function addBackupCommand(vault: Command): void {
  const command = vault.command('backup').description('back up files and folders into a new snapshot').argument('<paths...>', 'files or folders to back up');
  addExclusionFlags(command, { pathsToo: false, patternFiles: true, negations: false })
    .option('--tag <tag>', 'tag the snapshot; repeatable', collect)
    .option('--host <name>', 'host name to record (default: this host)')
    .option('--parent <snapshot>', 'compare with this snapshot instead of the latest of the same host and paths')
    .option('--force', 'read every file, ignoring the parent snapshot')
    .action(
      action(async (signal, paths: string[], flags: BackupFlags, cmd: Command) => {
        const options = globalOptions(cmd);
        if (flags.force && flags.parent) throw new UsageError('--force and --parent exclude each other');
        const exclusions = exclusionsFromFlags(flags, UsageError, { pathsToo: false });
        const vault = await openFromOptions(options);
        const progress = new ProgressLine('backup', !options.json);
        const summary = await vault
          .backup({
            paths: paths.map((p) => path.resolve(p)),
            exclusions,
            tags: flags.tag,
            host: flags.host,
            parent: flags.force ? null : flags.parent,
            signal,
            onProgress: (p) => progress.update(p),
          })
          .finally(() => progress.done());
        if (options.json) printJson(summary);
        else {
          for (const e of summary.errors) process.stderr.write(`error: ${e.path}: ${e.reason}\n`);
          process.stdout.write(
            `snapshot ${summary.snapshotId} saved\n` +
              `files: ${summary.filesNew} new, ${summary.filesChanged} changed, ${summary.filesUnmodified} unmodified\n` +
              `processed ${summary.totalFiles} files, ${vaultBytes(summary.totalBytes)} in ${formatDuration(summary.durationMs)}\n` +
              `added ${vaultBytes(summary.dataAdded)} (${vaultBytes(summary.dataAddedPacked)} stored)\n` +
              (summary.errors.length ? `${summary.errors.length} files or folders could not be read\n` : ''),
          );
        }
        return summary.errors.length ? EXIT.partial : EXIT.ok;
      }),
    );
}
