import { sql, type Kysely } from 'kysely';
import type { Database } from '../../store/database.js';
import type { AppContext } from '../../server/context.js';

/**
 * Keeps `agents.vault_bytes` (what "the vault holds data" and the quotas are judged by) and `agents.vault_files` in
 * step with the files written: one atomic increment, so concurrent writers never lose each other's counts. Counts
 * never go below zero (files stored before they were counted may be deleted).
 */
export async function addVaultUsage(ctx: AppContext, vaultId: string, deltaBytes: number, deltaFiles: number, db: Kysely<Database> = ctx.store.db): Promise<void> {
  if (deltaBytes === 0 && deltaFiles === 0) return;
  await db
    .updateTable('agents')
    .set({
      vault_bytes: sql<number>`CASE WHEN vault_bytes + ${deltaBytes} < 0 THEN 0 ELSE vault_bytes + ${deltaBytes} END`,
      vault_files: sql<number>`CASE WHEN vault_files + ${deltaFiles} < 0 THEN 0 ELSE vault_files + ${deltaFiles} END`,
    })
    .where('vault_id', '=', vaultId)
    .execute();
}

/**
 * Counts an upload straight to object storage when it is authorized (the storage then accepts exactly this length at
 * this key, or nothing), once per file: an agent that asks again for the same file after an expired URL or a retry
 * adds nothing. A lock, which may be replaced, counts its change in size instead.
 */
export async function countAuthorizedUpload(ctx: AppContext, vaultId: string, name: string, size: number, existing: number | null, replaceable: boolean): Promise<void> {
  if (replaceable) return addVaultUsage(ctx, vaultId, size - (existing ?? 0), existing === null ? 1 : 0);
  await ctx.store.transaction(async (tx) => {
    const granted = await tx.db
      .insertInto('vault_upload_grants')
      .values({ vault_id: vaultId, name, size, created_at: new Date().toISOString() })
      .onConflict((oc) => oc.columns(['vault_id', 'name']).doNothing())
      .returning('name')
      .executeTakeFirst();
    if (granted) await addVaultUsage(ctx, vaultId, size, 1, tx.db);
  });
}

/** Drops the grant of a deleted file, so that it may be uploaded (and counted) again; the size it counted, if any. */
export async function forgetUploadGrant(ctx: AppContext, vaultId: string, name: string): Promise<number | null> {
  const row = await ctx.store.db.deleteFrom('vault_upload_grants').where('vault_id', '=', vaultId).where('name', '=', name).returning('size').executeTakeFirst();
  return row ? Number(row.size) : null;
}
