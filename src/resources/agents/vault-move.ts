import { randomUUID } from 'node:crypto';
import { badRequest, forbidden } from '../../errors/app-error.js';
import type { AppContext } from '../../server/context.js';
import { BodyCheck } from '../shared/body-check.js';
import type { Agent } from './agent.js';
import { findAgent } from './agent.fetcher.js';
import { announceAgentChanged } from './agent-configuration-changed.js';
import { vaultHoldsData } from './vault-contents.js';

export function parseVaultMove(body: unknown, destinationId: string): { sourceAgentId: string } {
  const check = BodyCheck.object(body);
  const source = check.string('source_agent_id', { required: true, nonEmpty: true, maxLength: 255 });
  check.done();
  if (source === destinationId) throw badRequest('Validation failed.', ['source_agent_id must be another agent than the destination.']);
  return { sourceAgentId: source as string };
}

/**
 * The destination agent takes over the source agent's vault; the source is left with a new, empty vault. Refused
 * (403) when the source is not in the project, its vault is encrypted, or the destination's vault holds data.
 */
export async function moveVault(ctx: AppContext, destination: Agent, sourceAgentId: string): Promise<void> {
  const source = await findAgent(ctx.store.db, destination.projectId, sourceAgentId);
  if (!source) throw forbidden('The source agent is not an agent of this project.');
  if (source.vault.encrypted) throw forbidden("The source agent's vault is encrypted and cannot be moved.");
  if (await vaultHoldsData(ctx.store.db, destination.id)) throw forbidden("The destination agent's vault already contains data.");
  await ctx.store.transaction(async (tx) => {
    await tx.db
      .updateTable('agents')
      .set({
        vault_id: source.vault.id,
        vault_region: source.vault.region,
        vault_use_internal: source.vault.useInternal ? 1 : 0,
        vault_encrypted: 0,
        vault_bytes: source.vault.bytes,
        vault_files: source.vault.files,
        version_no: destination.version_no + 1,
      })
      .where('id', '=', destination.id)
      .execute();
    await tx.db
      .updateTable('agents')
      .set({ vault_id: randomUUID(), vault_region: source.host.region, vault_encrypted: 0, vault_bytes: 0, vault_files: 0, version_no: source.version_no + 1 })
      .where('id', '=', source.id)
      .execute();
    await announceAgentChanged(ctx, tx, destination.projectId, destination.id);
    await announceAgentChanged(ctx, tx, source.projectId, source.id);
  });
}
