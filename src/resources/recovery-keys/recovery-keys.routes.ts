import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../server/context.js';
import { callerOf } from '../../server/request-scope.js';
import { presentRecoveryKey, recoveryKeyState, SEALING_ALGORITHM } from './recovery-key-state.js';
import { vaultKeyAgent } from './vault-key-agent.permission.js';
import { depositVaultKey, parseVaultKeyDeposit } from './vault-key-deposit.js';
import { sealVaultKeyFor } from './vault-key-handover.js';

const tags = ['vaults'];
const VaultParams = Type.Object({ vault_id: Type.String() });

/**
 * Server-held key custody, for agents only: the owning agent reads the project's recovery public key and deposits
 * its vault's master key sealed under it; an agent that may read a vault (its owner, or the destination of a
 * running restore from it) gets that master key sealed for its own RSA key.
 */
export async function recoveryKeyRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get('/vaults/:vault_id/recovery-key', { schema: { tags, summary: "The project's recovery public key, for the vault's own agent", params: VaultParams } }, async (request) => {
    const vaultId = (request.params as { vault_id: string }).vault_id;
    const agent = await vaultKeyAgent(ctx, callerOf(request), vaultId, 'write');
    return presentRecoveryKey(await recoveryKeyState(ctx, agent, vaultId));
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
      const agent = await vaultKeyAgent(ctx, callerOf(request), vaultId, 'write');
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
      const agent = await vaultKeyAgent(ctx, callerOf(request), vaultId, 'read');
      return { algorithm: SEALING_ALGORITHM, sealed_master_key_hex: await sealVaultKeyFor(ctx, agent, vaultId) };
    },
  );
}
