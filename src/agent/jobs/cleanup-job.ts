import type { SnapshotInfo } from '../../engine/vault/snapshot.js';
import type { ConfigurationEntry } from '../configuration-document.js';
import { configurationTag } from './backup-job.js';
import { errorsDocument, wireNow } from './job-errors.js';
import { replace, report, type JobRuntime } from './job-runtime.js';

const DAY_MS = 86_400_000;

/**
 * Which snapshots the configurations' retention lets go: those of a configuration older than its `retention.days`
 * by the agent's clock, except that configuration's newest snapshot, so the last good backup always stays
 * restorable. `days: 0` keeps everything; snapshots of configurations this agent no longer has are kept.
 */
export function expiredSnapshots(snapshots: SnapshotInfo[], configurations: ConfigurationEntry[], now: number): SnapshotInfo[] {
  const expired: SnapshotInfo[] = [];
  for (const configuration of configurations) {
    const days = configuration.retention?.days ?? 0;
    if (!(days > 0)) continue;
    const own = snapshots.filter((s) => s.tags.includes(configurationTag(configuration.id))).sort((a, b) => a.time.localeCompare(b.time));
    const cutoff = now - days * DAY_MS;
    for (const snapshot of own.slice(0, -1)) if (Date.parse(snapshot.time) < cutoff) expired.push(snapshot);
  }
  return expired;
}

/** Retention → forget + prune in one run; reports `snapshot_ids`, `bytes_before`, `bytes_after`. */
export async function runCleanupJob(rt: JobRuntime, id: string, signal: AbortSignal): Promise<void> {
  await report(rt, 'cleanup', id, [replace('/state', 'in_progress'), replace('/started_time', wireNow())]);
  const document = await rt.configs.reload();
  const vault = await rt.vault.open();
  const expired = expiredSnapshots(await vault.listSnapshots(), document.configurations, rt.clock.now());
  rt.log.info({ cleanup: id, expired: expired.map((s) => s.id) }, 'cleanup: snapshots past retention');
  const result = await vault.prune({ policy: expired.length ? { snapshots: expired.map((s) => s.hash) } : undefined, signal });
  await report(rt, 'cleanup', id, [
    replace('/state', 'completed'),
    replace('/ended_time', wireNow()),
    replace('/snapshot_ids', result.removedSnapshotIds),
    replace('/bytes_before', result.bytesBefore),
    replace('/bytes_after', result.bytesAfter),
    replace('/errors', errorsDocument([], { writing: false, diagnostics: '' })),
  ]);
}
