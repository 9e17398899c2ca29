import type { Kysely } from 'kysely';
import { forbidden, notFound } from '../../errors/app-error.js';
import { hasLevel, type Caller } from '../../server/caller.js';
import type { AppContext } from '../../server/context.js';
import type { Database } from '../../store/database.js';
import { restoreMachine } from '../../domain/state-machines/job-machines.js';

export type VaultAccess = 'read' | 'write';

/**
 * Who may touch a vault: the agent that owns it, for everything; for support, an administrator of the agent's
 * project (or the global administrator) may read and list it, never write. The data is encrypted by the agent, so
 * reading it reveals sizes and names only. A vault the caller cannot see at all is 404, like any foreign resource.
 */
export async function authorizeVault(ctx: AppContext, caller: Caller, vaultId: string, access: VaultAccess): Promise<void> {
  if (caller.kind === 'agent') {
    const agent = await ctx.store.db.selectFrom('agents').select('vault_id').where('id', '=', caller.agentId).executeTakeFirst();
    if (agent && agent.vault_id === vaultId) return;
    if (access === 'read' && (await isRestoringFrom(ctx.store.db, caller.agentId, vaultId))) return;
    throw notFound('Vault not found.');
  }
  const owner = await ctx.store.db.selectFrom('agents').select('project_id').where('vault_id', '=', vaultId).executeTakeFirst();
  if (!owner || (caller.kind === 'user' && caller.projectId !== owner.project_id)) throw notFound('Vault not found.');
  if (access === 'write') throw forbidden('Only the agent that owns a vault may write to it.');
  if (!hasLevel(caller, 'admin')) throw forbidden('Reading a vault requires the admin role.');
}

/** Restore grant: the destination agent of a restore that has not ended may read the vault holding its backup. */
async function isRestoringFrom(db: Kysely<Database>, agentId: string, vaultId: string): Promise<boolean> {
  const row = await db
    .selectFrom('jobs as restore')
    .innerJoin('jobs as backup', 'backup.id', 'restore.backup_id')
    .select('restore.id')
    .where('restore.kind', '=', 'restore')
    .where('restore.agent_id', '=', agentId)
    .where('restore.state', 'not in', [...restoreMachine.terminal])
    .where('backup.vault_id', '=', vaultId)
    .whereRef('backup.project_id', '=', 'restore.project_id')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
