import { notFound } from '../../errors/app-error.js';
import type { Caller } from '../../server/caller.js';
import type { AppContext } from '../../server/context.js';
import { findAgent } from '../agents/agent.fetcher.js';
import type { Agent } from '../agents/agent.js';
import { authorizeVault } from '../vaults/vault-access.js';

/**
 * Key custody is for agents only: the caller must have `access` to the vault, and be an agent of its project that
 * still exists. Anyone else learns nothing: "Vault key not found." (404).
 */
export async function vaultKeyAgent(ctx: AppContext, caller: Caller, vaultId: string, access: 'read' | 'write'): Promise<Agent> {
  await authorizeVault(ctx, caller, vaultId, access);
  if (caller.kind !== 'agent') throw notFound('Vault key not found.');
  const agent = await findAgent(ctx.store.db, caller.projectId, caller.agentId);
  if (!agent) throw notFound('Vault key not found.');
  return agent;
}
