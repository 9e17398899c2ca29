import type { AppContext } from '../../server/context.js';

/** Keeps `agents.vault_bytes` (what "the vault holds data" is judged by) in step with the files written. */
export async function addVaultBytes(ctx: AppContext, vaultId: string, delta: number): Promise<void> {
  if (delta === 0) return;
  await ctx.store.db
    .updateTable('agents')
    .set((eb) => ({ vault_bytes: eb('vault_bytes', '+', delta) }))
    .where('vault_id', '=', vaultId)
    .execute();
}
