import type { PathRule } from '../../engine/archiver/path-filter.js';
import { errorsDocument, wireNow } from './job-errors.js';
import { JobRefusal, replace, report, type JobRuntime } from './job-runtime.js';
import { ProgressTicker } from './progress-ticker.js';

export interface RestoreWork {
  id: string;
  configurationId: string | null;
  snapshotId: number;
  /** The vault the backup is in; this agent can read only its own. */
  sourceVaultId: string | null;
  /** null: each file goes back to where it was backed up from. */
  destinationPath: string | null;
  overwrite: boolean;
  inclusions: PathRule[];
  exclusions: PathRule[];
}

/** Reads the restore's fields from a `restore_start_request` event. */
export function restoreWorkFromEvent(event: Record<string, any>): RestoreWork {
  const restore = event.restore ?? {};
  return {
    id: restore.id ?? event.request_id,
    configurationId: event.configuration?.id ?? null,
    snapshotId: Number(event.backup?.snapshot_id),
    sourceVaultId: event.source_agent?.vault?.id ?? null,
    destinationPath: typeof restore.destination_path === 'string' && restore.destination_path !== '' ? restore.destination_path : null,
    overwrite: restore.overwrite_files === true,
    inclusions: Array.isArray(restore.inclusions) ? restore.inclusions : [],
    exclusions: Array.isArray(restore.exclusions) ? restore.exclusions : [],
  };
}

/** Restores a snapshot to `destination_path` (or the original places): queued → preparing → in_progress → end. */
export async function runRestoreJob(rt: JobRuntime, work: RestoreWork, signal: AbortSignal): Promise<void> {
  const refs = { agent: { id: rt.agentId }, configuration: { id: work.configurationId }, restore: { id: work.id } };
  const ticker = new ProgressTicker(rt.api, rt.log, 'restore_progress', refs);
  try {
    await report(rt, 'restore', work.id, [replace('/state', 'preparing')]);
    const ownVault = (await rt.configs.get()).vaults[0]?.id;
    if (work.sourceVaultId && ownVault && work.sourceVaultId !== ownVault) {
      throw new JobRefusal('foreign_vault', `The backup is in vault ${work.sourceVaultId}; this agent can restore only from its own vault (${ownVault}).`);
    }
    if (!Number.isSafeInteger(work.snapshotId)) throw new JobRefusal('snapshot_unknown', 'The restore request names no snapshot.');
    const vault = await rt.vault.open();
    await report(rt, 'restore', work.id, [replace('/state', 'in_progress'), replace('/started_time', wireNow())]);
    ticker.start();
    const summary = await vault.restore({
      snapshot: work.snapshotId,
      target: work.destinationPath,
      overwrite: work.overwrite,
      inclusions: work.inclusions,
      exclusions: work.exclusions,
      signal,
      onProgress: (p) => ticker.update({ bytesCompleted: p.bytesDone, totalBytes: p.bytesTotal }),
    });
    ticker.stop();
    const restored = summary.filesRestored + summary.dirsRestored + summary.symlinksRestored;
    const state = summary.errors.length === 0 ? 'completed' : restored > 0 ? 'completed_with_errors' : 'failed';
    await report(rt, 'restore', work.id, [
      replace('/state', state),
      replace('/ended_time', wireNow()),
      replace('/files_restored', summary.filesRestored),
      replace('/bytes_restored', summary.bytesRestored),
      replace('/errors', errorsDocument(summary.errors, { writing: true, diagnostics: 'Some files may not have been restored.' })),
    ]);
  } finally {
    ticker.stop();
  }
}
