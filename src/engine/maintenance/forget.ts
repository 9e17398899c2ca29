import { VaultError } from '../errors.js';
import type { Repository } from '../repository/repository.js';
import type { SnapshotInfo } from '../vault/snapshot.js';
import { findSnapshot, loadSnapshots, type SnapshotRef } from '../vault/snapshot-store.js';

export interface ForgetPolicy {
  /** Keep the N newest snapshots of each group (host + paths). */
  keepLast?: number;
  /** Keep snapshots taken within this many days before `now`. */
  keepWithinDays?: number;
  /** Forget exactly these snapshots (in addition to what the policy removes). */
  snapshots?: SnapshotRef[];
  /** Only consider snapshots of this host. */
  host?: string;
  dryRun?: boolean;
  now?: Date;
}

export interface ForgetResult {
  removedSnapshotIds: number[];
  keptSnapshotIds: number[];
}

/** Decides which snapshots a policy removes; a snapshot is kept when any rule keeps it. */
export function planForget(snapshots: SnapshotInfo[], policy: ForgetPolicy): { remove: SnapshotInfo[]; keep: SnapshotInfo[] } {
  const hasRules = policy.keepLast !== undefined || policy.keepWithinDays !== undefined;
  if (!hasRules && !policy.snapshots?.length) {
    throw new VaultError('INVALID_ARGUMENT', 'forget needs keepLast, keepWithinDays or explicit snapshots; refusing to remove everything');
  }
  for (const n of [policy.keepLast, policy.keepWithinDays]) {
    if (n !== undefined && !(Number.isFinite(n) && n >= 0)) throw new VaultError('INVALID_ARGUMENT', 'retention numbers must be non-negative');
  }
  const explicit = new Set((policy.snapshots ?? []).map((ref) => findSnapshot(snapshots, ref).hash));
  const now = (policy.now ?? new Date()).getTime();
  const groups = new Map<string, SnapshotInfo[]>();
  for (const s of snapshots) {
    if (policy.host && s.host !== policy.host) continue;
    const key = JSON.stringify([s.host, s.paths]);
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const remove: SnapshotInfo[] = [];
  const keep: SnapshotInfo[] = [];
  for (const group of groups.values()) {
    const newestFirst = [...group].sort((a, b) => b.time.localeCompare(a.time));
    newestFirst.forEach((s, i) => {
      let kept = !hasRules;
      if (policy.keepLast !== undefined && i < policy.keepLast) kept = true;
      if (policy.keepWithinDays !== undefined && now - Date.parse(s.time) <= policy.keepWithinDays * 86_400_000) kept = true;
      if (explicit.has(s.hash)) kept = false;
      (kept ? keep : remove).push(s);
    });
  }
  return { remove, keep };
}

export async function runForget(repo: Repository, policy: ForgetPolicy): Promise<ForgetResult> {
  const { remove, keep } = planForget(await loadSnapshots(repo, { strict: true }), policy);
  if (!policy.dryRun) for (const s of remove) await repo.backend.remove(`snapshots/${s.hash}`);
  return { removedSnapshotIds: remove.map((s) => s.id), keptSnapshotIds: keep.map((s) => s.id) };
}
