import path from 'node:path';
import type { Command } from 'commander';
import { action, collect, globalOptions, openFromOptions, printJson, UsageError } from './vault-context.js';
import { EXIT } from './vault-errors.js';
import { formatBytes, formatDuration } from './vault-format.js';
import { ProgressLine } from './progress-line.js';

interface BackupFlags {
  exclude?: string[];
  excludeFile?: string[];
  tag?: string[];
  host?: string;
  parent?: string;
  force?: boolean;
}

export function addBackupCommand(vault: Command): void {
  vault
    .command('backup')
    .description('back up files and folders into a new snapshot')
    .argument('<paths...>', 'files or folders to back up')
    .option('--exclude <path>', 'leave out this folder (and everything below it) or file; repeatable', collect)
    .option('--exclude-file <path>', 'leave out exactly this file; repeatable', collect)
    .option('--tag <tag>', 'tag the snapshot; repeatable', collect)
    .option('--host <name>', 'host name to record (default: this host)')
    .option('--parent <snapshot>', 'compare with this snapshot instead of the latest of the same host and paths')
    .option('--force', 'read every file, ignoring the parent snapshot')
    .action(action(async (signal, paths: string[], flags: BackupFlags, cmd: Command) => {
      const options = globalOptions(cmd);
      if (flags.force && flags.parent) throw new UsageError('--force and --parent exclude each other');
      const vault = await openFromOptions(options);
      const progress = new ProgressLine('backup', !options.json);
      const summary = await vault
        .backup({
          paths: paths.map((p) => path.resolve(p)),
          exclusions: [
            ...(flags.exclude ?? []).map((p) => ({ type: 'folder' as const, path: path.resolve(p) })),
            ...(flags.excludeFile ?? []).map((p) => ({ type: 'file' as const, path: path.resolve(p) })),
          ],
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
            `processed ${summary.totalFiles} files, ${formatBytes(summary.totalBytes)} in ${formatDuration(summary.durationMs)}\n` +
            `added ${formatBytes(summary.dataAdded)} (${formatBytes(summary.dataAddedPacked)} stored)\n` +
            (summary.errors.length ? `${summary.errors.length} files or folders could not be read\n` : ''),
        );
      }
      return summary.errors.length ? EXIT.partial : EXIT.ok;
    }));
}
