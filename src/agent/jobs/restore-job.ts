import type { PathRule } from '../../engine/archiver/path-filter.js';
import { errorsDocument, wireNow } from './job-errors.js';
import { JobRefusal, replace, report, type JobRuntime } from './job-runtime.js';
import { openVaultToRead } from './vault-to-read.js';
import { ProgressTicker } from './progress-ticker.js';
import { withWorkDone } from './work-done.js';
import { RestoreState } from '../../domain/job-states.js';

export interface RestoreWork {
  id: string;
  configurationId: string | null;
  snapshotId: number;
  /** The vault the backup is in: this agent's own, or another agent's it may read while this restore runs. */
  sourceVaultId: string | null;
  /** The user's vault password, encrypted for this agent's key; null: the agent's own key or the server's copy. */
  encryptedPasswordHex: string | null;
  /** null: each file goes back to where it was backed up from. */
  destinationPath: string | null;
  overwrite: boolean;
  inclusions: PathRule[];
  exclusions: PathRule[];
  /** A drill's restore: into a scratch folder that must be absent or empty, removed again unless the restore completes. */
  scratch: boolean;
}

/** Reads the restore's fields from a `restore_start_request` event. */
export function restoreWorkFromEvent(event: Record<string, any>): RestoreWork {
  const restore = event.restore ?? {};
  return {
    id: restore.id ?? event.request_id,
    configurationId: event.configuration?.id ?? null,
    snapshotId: Number(event.backup?.snapshot_id),
    sourceVaultId: typeof event.source_agent?.vault?.id === 'string' ? event.source_agent.vault.id : null,
    encryptedPasswordHex: typeof event.encrypted_password_hex === 'string' && event.encrypted_password_hex !== '' ? event.encrypted_password_hex : null,
    destinationPath: typeof restore.destination_path === 'string' && restore.destination_path !== '' ? restore.destination_path : null,
    overwrite: restore.overwrite_files === true,
    inclusions: Array.isArray(restore.inclusions) ? restore.inclusions : [],
    exclusions: Array.isArray(restore.exclusions) ? restore.exclusions : [],
    scratch: restore.scratch === true,
  };
}

/** Restores a snapshot to `destination_path` (or the original places): queued → preparing → in_progress → end. */
export async function runRestoreJob(rt: JobRuntime, work: RestoreWork, signal: AbortSignal): Promise<void> {
  const refs = { agent: { id: rt.agentId }, configuration: { id: work.configurationId }, restore: { id: work.id } };
  const ticker = new ProgressTicker(rt.api, rt.log, 'restore_progress', refs);
  try {
    await report(rt, 'restore', work.id, [replace('/state', RestoreState.preparing)]);
    if (work.scratch) await rt.scratch.prepare(work.id, work.destinationPath);
    if (!Number.isSafeInteger(work.snapshotId)) throw new JobRefusal('snapshot_unknown', 'The restore request names no snapshot.');
    // Opened before anything is written: a wrong password or a missing key ends the restore here.
    const vault = await openVaultToRead(rt, { vaultId: work.sourceVaultId, encryptedPasswordHex: work.encryptedPasswordHex }, 'restored');
    await vault.getSnapshot(work.snapshotId).catch((err: unknown) => {
      throw (err as { code?: string }).code === 'SNAPSHOT_NOT_FOUND' ? new JobRefusal('snapshot_unknown', `Snapshot ${work.snapshotId} is not in the backup's vault; nothing was restored.`) : err;
    });
    await report(rt, 'restore', work.id, [replace('/state', RestoreState.in_progress), replace('/started_time', wireNow())]);
    ticker.start();
    const summary = await vault
      .restore({
        snapshot: work.snapshotId,
        target: work.destinationPath,
        overwrite: work.overwrite,
        inclusions: work.inclusions,
        exclusions: work.exclusions,
        signal,
        onProgress: (p) => ticker.update({ bytesCompleted: p.bytesDone, totalBytes: p.bytesTotal, filesCompleted: p.filesDone, totalFiles: p.filesTotal }),
      })
      .catch((err: unknown) => {
        // What a stopped or failed restore had written so far.
        const { filesCompleted, bytesCompleted } = ticker.numbers;
        throw withWorkDone(err, [replace('/files_restored', filesCompleted), replace('/bytes_restored', bytesCompleted)]);
      });
    await ticker.finish();
    const restored = summary.filesRestored + summary.dirsRestored + summary.symlinksRestored + summary.hardLinksRestored + summary.specialFilesRestored;
    const state = summary.errors.length === 0 ? RestoreState.completed : restored > 0 ? RestoreState.completed_with_errors : RestoreState.failed;
    // A drill's scratch folder stays for its check only when everything came back.
    if (work.scratch && state !== RestoreState.completed) await rt.scratch.remove(work.id);
    await report(rt, 'restore', work.id, [
      replace('/state', state),
      replace('/ended_time', wireNow()),
      replace('/files_restored', summary.filesRestored),
      replace('/bytes_restored', summary.bytesRestored),
      // Extension: existing files left alone because overwrite_files was false.
      replace('/files_skipped', summary.filesSkipped),
      replace('/errors', errorsDocument(summary.errors, { writing: true, diagnostics: 'Some files may not have been restored.' })),
    ]);
  } catch (err) {
    if (work.scratch) await rt.scratch.remove(work.id);
    throw err;
  } finally {
    ticker.stop();
  }
}
