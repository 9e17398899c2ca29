import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { notFound } from '../../errors/app-error.js';
import type { AppContext } from '../../server/context.js';
import { callerOf } from '../../server/request-scope.js';
import { findAgent } from '../agents/agent.fetcher.js';
import { authorizeVault } from '../vaults/vault-access.js';
import { recoveryKeyStore } from './recovery-key.store.js';
import { depositVaultKey, parseVaultKeyDeposit } from './vault-key-deposit.js';
import { sealVaultKeyFor } from './vault-key-handover.js';

const tags = ['vaults'];
const VaultParams = Type.Object({ vault_id: Type.String() });
const ALGORITHM = 'RSA-OAEP-256';

/**
 * Server-held key custody, for agents only: the owning agent reads the project's recovery public key and deposits
 * its vault's master key sealed under it; an agent that may read a vault (its owner, or the destination of a
 * running restore from it) gets that master key sealed for its own RSA key.
 */
export async function recoveryKeyRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const agentCaller = async (vaultId: string, caller: ReturnType<typeof callerOf>, access: 'read' | 'write') => {
    await authorizeVault(ctx, caller, vaultId, access);
    if (caller.kind !== 'agent') throw notFound('Vault key not found.');
    const agent = await findAgent(ctx.store.db, caller.projectId, caller.agentId);
    if (!agent) throw notFound('Vault key not found.');
    return agent;
  };

  app.get('/vaults/:vault_id/recovery-key', { schema: { tags, summary: "The project's recovery public key, for the vault's own agent", params: VaultParams } }, async (request) => {
    const vaultId = (request.params as { vault_id: string }).vault_id;
    const agent = await agentCaller(vaultId, callerOf(request), 'write');
    const custody = await recoveryKeyStore.keyCustody(ctx.store.db, agent.id);
    if (custody !== 'server') return { key_custody: custody, recovery_key: null, deposited: false };
    const key = await recoveryKeyStore.projectKey(ctx.store.db, agent.projectId);
    const copy = await recoveryKeyStore.vaultCopy(ctx.store.db, vaultId);
    return { key_custody: custody, recovery_key: { id: key.id, algorithm: ALGORITHM, public_key: key.publicKeyPem }, deposited: copy?.recoveryKeyId === key.id };
  });

  app.put(
    '/vaults/:vault_id/recovery-key',
    {
      schema: {
        tags,
        summary: "The vault's own agent deposits its master key sealed under the recovery key",
        params: VaultParams,
        body: Type.Object({ recovery_key_id: Type.String(), sealed_master_key: Type.String() }),
      },
      attachValidation: true,
    },
    async (request, reply) => {
      const vaultId = (request.params as { vault_id: string }).vault_id;
      const agent = await agentCaller(vaultId, callerOf(request), 'write');
      const message = parseVaultKeyDeposit(request.body);
      await depositVaultKey(ctx, agent.id, agent.projectId, vaultId, message);
      return reply.code(204).send();
    },
  );

  app.get(
    '/vaults/:vault_id/master-key',
    { schema: { tags, summary: "The vault's master key sealed for the calling agent (its owner, or a restore's destination)", params: VaultParams } },
    async (request) => {
      const vaultId = (request.params as { vault_id: string }).vault_id;
      const agent = await agentCaller(vaultId, callerOf(request), 'read');
      return { algorithm: ALGORITHM, sealed_master_key_hex: await sealVaultKeyFor(ctx, agent, vaultId) };
    },
  );
}
