import { sql } from 'kysely';
import type { AppContext } from '../../server/context.js';

/**
 * Keeps `agents.vault_bytes` (what "the vault holds data" and the quotas are judged by) and `agents.vault_files` in
 * step with the files written: one atomic increment, so concurrent writers never lose each other's counts. Counts
 * never go below zero (files stored before they were counted may be deleted).
 */
export async function addVaultUsage(ctx: AppContext, vaultId: string, deltaBytes: number, deltaFiles: number): Promise<void> {
  if (deltaBytes === 0 && deltaFiles === 0) return;
  await ctx.store.db
    .updateTable('agents')
    .set({
      vault_bytes: sql<number>`CASE WHEN vault_bytes + ${deltaBytes} < 0 THEN 0 ELSE vault_bytes + ${deltaBytes} END`,
      vault_files: sql<number>`CASE WHEN vault_files + ${deltaFiles} < 0 THEN 0 ELSE vault_files + ${deltaFiles} END`,
    })
    .where('vault_id', '=', vaultId)
    .execute();
}
