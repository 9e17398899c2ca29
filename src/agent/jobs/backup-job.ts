import type { BackupSummary } from '../../engine/archiver/backup-types.js';
import { errorsDocument, wireNow } from './job-errors.js';
import { JobRefusal, replace, report, type JobRuntime } from './job-runtime.js';
import { ProgressTicker, type ProgressNumbers } from './progress-ticker.js';
import { withWorkDone } from './work-done.js';
import { BackupState } from '../../domain/job-states.js';

export interface BackupWork {
  id: string;
  configurationId: string;
}

/** Tag that ties a snapshot to its configuration (cleanup applies each configuration's retention to its own). */
export function configurationTag(configurationId: string): string {
  return `configuration:${configurationId}`;
}

/**
 * Runs one backup of a configuration: preparing → in_progress → completed | completed_with_errors | stopped |
 * failed, with progress events while the engine works and the documented result fields at the end.
 */
export async function runBackupJob(rt: JobRuntime, work: BackupWork, signal: AbortSignal): Promise<void> {
  const refs = { agent: { id: rt.agentId }, configuration: { id: work.configurationId }, backup: { id: work.id } };
  const started = Date.now();
  const ticker = new ProgressTicker(rt.api, rt.log, 'backup_progress', refs);
  try {
    await report(rt, 'backup', work.id, [replace('/state', BackupState.preparing)]);
    const configuration = await rt.configs.configuration(work.configurationId);
    if (!configuration) throw new JobRefusal('configuration_not_found', `Configuration ${work.configurationId} is not in this agent's configuration document.`);
    if (configuration.inclusions.length === 0) throw new JobRefusal('nothing_to_back_up', 'The configuration includes no files or folders.');
    const vault = await rt.vault.open();
    await report(rt, 'backup', work.id, [replace('/state', BackupState.in_progress), replace('/started_time', wireNow())]);
    ticker.start();
    const summary = await vault
      .backup({
        inclusions: configuration.inclusions,
        exclusions: configuration.exclusions,
        host: rt.hostName,
        tags: [configurationTag(work.configurationId)],
        signal,
        onProgress: (p) => ticker.update({ bytesCompleted: p.bytesDone, totalBytes: p.bytesTotal, filesCompleted: p.filesDone, totalFiles: p.filesTotal }),
      })
      .catch((err: unknown) => {
        throw withWorkDone(err, partialOperations(ticker.numbers));
      });
    await ticker.finish();
    await report(rt, 'backup', work.id, await resultOperations(rt, summary, started));
  } finally {
    ticker.stop();
  }
}

/** What a stopped or failed backup had done: files found and read so far; no snapshot was written. */
function partialOperations(numbers: ProgressNumbers) {
  return [replace('/files_searched', numbers.totalFiles), replace('/files_backed_up', numbers.filesCompleted), replace('/bytes_searched', numbers.totalBytes)];
}

async function resultOperations(rt: JobRuntime, summary: BackupSummary, started: number) {
  const seconds = Math.max(0.001, (Date.now() - started) / 1000);
  const bytesInVault = (await (await rt.vault.backend()).list('')).reduce((sum, f) => sum + f.size, 0);
  const nothingSaved = summary.errors.length > 0 && summary.totalFiles === 0 && summary.dirs === 0;
  const state = nothingSaved ? BackupState.failed : summary.errors.length > 0 ? BackupState.completed_with_errors : BackupState.completed;
  return [
    replace('/state', state),
    replace('/ended_time', wireNow()),
    replace('/snapshot_id', summary.snapshotId),
    // A file that could not be read was searched but not backed up.
    replace('/files_searched', summary.totalFiles + summary.errors.length),
    replace('/files_backed_up', summary.filesNew + summary.filesChanged),
    replace('/bytes_searched', summary.totalBytes),
    replace('/bytes_backed_up', summary.dataAddedPacked),
    replace('/bytes_in_db', bytesInVault),
    replace('/bandwidth_avg_bps', Math.round((summary.dataAddedPacked * 8) / seconds)),
    replace('/errors', errorsDocument(summary.errors, { writing: false, diagnostics: 'Some files could not be backed up.' })),
  ];
}
