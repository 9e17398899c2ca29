import { isNotFoundError } from '../backend/errors.js';
import { IntegrityError, VaultError } from '../errors.js';
import { mapLimit, type Repository } from '../repository/repository.js';
import { snapshotInfo, type SnapshotFile, type SnapshotInfo } from './snapshot.js';

/** A snapshot named by its numeric id, its hex id (or a unique prefix of at least 6 digits), or `latest`. */
export type SnapshotRef = number | string;

/** What listing snapshots reads: the snapshot files of a vault. */
export type SnapshotSource = Pick<Repository, 'backend' | 'loadJsonFile'>;

/**
 * All readable snapshots, oldest first. A snapshot file that fails authentication is left out (`check`
 * reports it) so that one damaged file does not stop backups and restores of everything else. `strict`
 * (prune) fails instead: data must never be judged unused because a snapshot could not be read.
 */
export async function loadSnapshots(repo: SnapshotSource, options: { strict?: boolean } = {}): Promise<SnapshotInfo[]> {
  const files = await repo.backend.list('snapshots/');
  const infos = await mapLimit(files, 8, async (f) => {
    try {
      return snapshotInfo(f.name.slice('snapshots/'.length), await repo.loadJsonFile<SnapshotFile>(f.name));
    } catch (err) {
      if (isNotFoundError(err)) return undefined; // forgotten meanwhile
      if (!options.strict && (err instanceof IntegrityError || err instanceof SyntaxError)) return undefined;
      throw err;
    }
  });
  return infos.filter((s): s is SnapshotInfo => s !== undefined).sort((a, b) => a.time.localeCompare(b.time) || a.hash.localeCompare(b.hash));
}

export function findSnapshot(snapshots: SnapshotInfo[], ref: SnapshotRef): SnapshotInfo {
  const found = matchSnapshot(snapshots, ref);
  if (!found) throw new VaultError('SNAPSHOT_NOT_FOUND', `no snapshot ${String(ref)} in this vault`);
  return found;
}

function matchSnapshot(snapshots: SnapshotInfo[], ref: SnapshotRef): SnapshotInfo | undefined {
  if (typeof ref === 'number') return snapshots.find((s) => s.id === ref);
  const text = ref.trim().toLowerCase();
  if (text === 'latest') return snapshots[snapshots.length - 1];
  if (/^\d+$/.test(text)) {
    const byNumber = snapshots.find((s) => s.id === Number(text));
    if (byNumber) return byNumber;
  }
  if (/^[0-9a-f]{6,64}$/.test(text)) {
    const matches = snapshots.filter((s) => s.hash.startsWith(text));
    if (matches.length > 1) throw new VaultError('INVALID_ARGUMENT', `snapshot prefix ${text} is ambiguous`);
    return matches[0];
  }
  return undefined;
}
