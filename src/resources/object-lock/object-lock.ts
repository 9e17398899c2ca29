import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.js';

export const OBJECT_LOCK_MODES = ['GOVERNANCE', 'COMPLIANCE'] as const;
export type ObjectLockMode = (typeof OBJECT_LOCK_MODES)[number];

/** A project's S3 Object Lock: each vault file uploaded is retained in `mode` until `days` after its upload. */
export interface ObjectLock {
  mode: ObjectLockMode;
  days: number;
}

export async function readObjectLock(db: Kysely<Database>, projectId: string): Promise<ObjectLock | null> {
  const row = await db.selectFrom('projects').select(['object_lock_mode', 'object_lock_days']).where('id', '=', projectId).executeTakeFirst();
  if (!row?.object_lock_mode || !row.object_lock_days) return null;
  return { mode: row.object_lock_mode as ObjectLockMode, days: Number(row.object_lock_days) };
}

/** The Object Lock that applies to a vault's uploads: its owner's project's. */
export async function objectLockOfVault(db: Kysely<Database>, vaultId: string): Promise<ObjectLock | null> {
  const row = await db
    .selectFrom('agents')
    .innerJoin('projects', 'projects.id', 'agents.project_id')
    .select(['projects.object_lock_mode', 'projects.object_lock_days'])
    .where('agents.vault_id', '=', vaultId)
    .executeTakeFirst();
  if (!row?.object_lock_mode || !row.object_lock_days) return null;
  return { mode: row.object_lock_mode as ObjectLockMode, days: Number(row.object_lock_days) };
}
