import os from 'node:os';
import { isNotFoundError } from '../backend/errors.js';
import { VaultError } from '../errors.js';
import type { Repository } from '../repository/repository.js';

interface LockFile {
  exclusive: boolean;
  host: string;
  pid: number;
  time: string;
  operation: string;
}

/** A lock not refreshed for this long is stale (holders refresh every REFRESH_MS). */
const STALE_AFTER_MS = 30 * 60 * 1000;
const REFRESH_MS = 5 * 60 * 1000;

/**
 * Names of the lock files this process holds now. A lock file with this host and pid that is not in the set was
 * left behind by an operation of this process whose release could not reach the vault (the server was away): it
 * is stale at once, rather than blocking this process's next exclusive operation for 30 minutes.
 */
const heldHere = new Set<string>();

export interface HeldLock {
  release(): Promise<void>;
}

/**
 * Shared locks (backup, restore, check) coexist; an exclusive lock (prune, forget) excludes all others. A lock
 * is stale when it was not refreshed for 30 minutes, or when it belongs to a process on this host that no
 * longer exists; stale locks are ignored and removed.
 */
export async function acquireLock(repo: Repository, exclusive: boolean, operation: string): Promise<HeldLock> {
  await assertNoConflict(repo, exclusive, undefined);
  let name = `locks/${await repo.saveJsonFile('locks', lockBody(exclusive, operation))}`;
  heldHere.add(name);
  try {
    // Two processes may have checked at the same moment; re-check now that ours is visible.
    await assertNoConflict(repo, exclusive, name);
  } catch (err) {
    heldHere.delete(name);
    await repo.backend.remove(name).catch(() => undefined);
    throw err;
  }
  let refreshing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    refreshing = refreshing
      .then(async () => {
        const fresh = `locks/${await repo.saveJsonFile('locks', lockBody(exclusive, operation))}`;
        heldHere.add(fresh);
        heldHere.delete(name);
        const old = name;
        name = fresh;
        await repo.backend.remove(old);
      })
      .catch(() => undefined);
  }, REFRESH_MS);
  timer.unref();
  return {
    async release() {
      clearInterval(timer);
      await refreshing;
      // From here on the file is stale to this process even if removing it fails.
      heldHere.delete(name);
      await repo.backend.remove(name);
    },
  };
}

function lockBody(exclusive: boolean, operation: string): LockFile {
  return { exclusive, host: os.hostname(), pid: process.pid, time: new Date().toISOString(), operation };
}

async function assertNoConflict(repo: Repository, exclusive: boolean, own: string | undefined): Promise<void> {
  for (const f of await repo.backend.list('locks/')) {
    if (f.name === own) continue;
    let lock: LockFile;
    try {
      lock = await repo.loadJsonFile<LockFile>(f.name);
    } catch (err) {
      if (isNotFoundError(err)) continue; // released meanwhile
      throw err;
    }
    if (isStale(lock, Date.now(), f.name)) {
      await repo.backend.remove(f.name).catch(() => undefined);
      continue;
    }
    if (exclusive || lock.exclusive) {
      throw new VaultError('VAULT_LOCKED', `vault is locked by ${lock.operation} (pid ${lock.pid} on ${lock.host} since ${lock.time})`);
    }
  }
}

export function isStale(lock: LockFile, now = Date.now(), name?: string): boolean {
  if (now - Date.parse(lock.time) > STALE_AFTER_MS) return true;
  if (lock.host !== os.hostname()) return false;
  if (lock.pid === process.pid) return name !== undefined && !heldHere.has(name);
  try {
    process.kill(lock.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
