import type { SnapshotInfo } from '../../engine/vault/snapshot.js';
import type { ConfigurationEntry } from '../configuration-document.js';
import { configurationTag } from './backup-job.js';
import { errorsDocument, wireNow } from './job-errors.js';
import { replace, report, type JobRuntime } from './job-runtime.js';
import { CleanupState } from '../../domain/job-states.js';

/** The part of the server's retention dry run (`GET /configurations/{id}/retention`) a cleanup acts on. */
export interface RetentionRemovals {
  configurationId: string;
  /** Snapshot ids of the backups the policy lets go. */
  snapshotIds: number[];
}

/**
 * The snapshots to forget: for each configuration, those its retention plan lets go, found by snapshot id and only
 * when the snapshot carries that configuration's tag. The server judges the policy (the same plan its dry run shows
 * and its `restorable` follows); snapshots it does not name, and those of configurations this agent no longer has,
 * stay.
 */
export function snapshotsToForget(snapshots: SnapshotInfo[], removals: RetentionRemovals[]): SnapshotInfo[] {
  const chosen = new Map<string, SnapshotInfo>();
  for (const { configurationId, snapshotIds } of removals) {
    const wanted = new Set(snapshotIds);
    for (const snapshot of snapshots) {
      if (wanted.has(snapshot.id) && snapshot.tags.includes(configurationTag(configurationId))) chosen.set(snapshot.hash, snapshot);
    }
  }
  return [...chosen.values()];
}

async function fetchRemovals(rt: JobRuntime, configurations: ConfigurationEntry[]): Promise<RetentionRemovals[]> {
  const removals: RetentionRemovals[] = [];
  for (const configuration of configurations) {
    const answer = await rt.api.get<{ remove?: { snapshot_id?: unknown }[] }>(rt.api.v2('configurations', configuration.id, 'retention'));
    const snapshotIds = (answer.body.remove ?? []).map((entry) => entry.snapshot_id).filter((id): id is number => Number.isSafeInteger(id));
    removals.push({ configurationId: configuration.id, snapshotIds });
  }
  return removals;
}

/** Retention → forget + prune in one run; reports `snapshot_ids`, `bytes_before`, `bytes_after`. */
export async function runCleanupJob(rt: JobRuntime, id: string, signal: AbortSignal): Promise<void> {
  await report(rt, 'cleanup', id, [replace('/state', CleanupState.in_progress), replace('/started_time', wireNow())]);
  const document = await rt.configs.reload();
  const vault = await rt.vault.open();
  const removals = await fetchRemovals(rt, document.configurations);
  const expired = snapshotsToForget(await vault.listSnapshots(), removals);
  rt.log.info({ cleanup: id, expired: expired.map((s) => s.id) }, 'cleanup: snapshots the retention policies let go');
  const result = await vault.prune({ policy: expired.length ? { snapshots: expired.map((s) => s.hash) } : undefined, signal });
  await report(rt, 'cleanup', id, [
    replace('/state', CleanupState.completed),
    replace('/ended_time', wireNow()),
    replace('/snapshot_ids', result.removedSnapshotIds),
    replace('/bytes_before', result.bytesBefore),
    replace('/bytes_after', result.bytesAfter),
    replace('/errors', errorsDocument([], { writing: false, diagnostics: '' })),
  ]);
}
