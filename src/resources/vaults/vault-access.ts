import { forbidden, notFound } from '../../errors/app-error.js';
import { hasLevel, type Caller } from '../../server/caller.js';
import type { AppContext } from '../../server/context.js';

export type VaultAccess = 'read' | 'write';

/**
 * Who may touch a vault: the agent that owns it, for everything; for support, an administrator of the agent's
 * project (or the global administrator) may read and list it, never write. The data is encrypted by the agent, so
 * reading it reveals sizes and names only. A vault the caller cannot see at all is 404, like any foreign resource.
 */
export async function authorizeVault(ctx: AppContext, caller: Caller, vaultId: string, access: VaultAccess): Promise<void> {
  if (caller.kind === 'agent') {
    const agent = await ctx.store.db.selectFrom('agents').select('vault_id').where('id', '=', caller.agentId).executeTakeFirst();
    if (!agent || agent.vault_id !== vaultId) throw notFound('Vault not found.');
    return;
  }
  const owner = await ctx.store.db.selectFrom('agents').select('project_id').where('vault_id', '=', vaultId).executeTakeFirst();
  if (!owner || (caller.kind === 'user' && caller.projectId !== owner.project_id)) throw notFound('Vault not found.');
  if (access === 'write') throw forbidden('Only the agent that owns a vault may write to it.');
  if (!hasLevel(caller, 'admin')) throw forbidden('Reading a vault requires the admin role.');
}
