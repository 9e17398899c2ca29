import { conflict } from '../../errors/app-error.js';
import type { AppContext } from '../../server/context.js';
import { ensureProject } from '../identity/projects.js';
import type { ObjectLock } from './object-lock.js';

/**
 * Sets (or, with null, stops) a project's Object Lock. Only new uploads are affected: what is already retained stays
 * retained. Refused unless the vaults are in object storage whose bucket has Object Lock enabled.
 */
export async function writeObjectLock(ctx: AppContext, projectId: string, lock: ObjectLock | null): Promise<void> {
  if (lock) {
    if (!ctx.blobs.objectLockEnabled) throw conflict('Object Lock needs object storage: this server keeps vault data in a local directory (see COFFER_STORAGE_URL).');
    if (!(await ctx.blobs.objectLockEnabled())) throw conflict(`The bucket at ${ctx.blobs.location} does not have S3 Object Lock enabled; it can only be enabled when the bucket is created.`);
  }
  await ensureProject(ctx.store.db, projectId);
  await ctx.store.db
    .updateTable('projects')
    .set({ object_lock_mode: lock?.mode ?? null, object_lock_days: lock?.days ?? null })
    .where('id', '=', projectId)
    .execute();
}
