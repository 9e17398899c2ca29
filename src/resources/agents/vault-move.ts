import { randomUUID } from 'node:crypto';
import { badRequest, conflict, forbidden } from '../../errors/app-error.js';
import { backupMachine } from '../../domain/state-machines/job-machines.js';
import type { AppContext } from '../../server/context.js';
import { BodyCheck } from '../common/body-check.js';
import { recoveryKeyStore } from '../recovery-keys/recovery-key.store.js';
import type { Agent } from './agent.js';
import { findAgent } from './agent.fetcher.js';
import { agentKeyForSecrets } from './agent-rsa-key.js';
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
 * The destination agent adopts the source agent's vault, its configurations and its job history (a replacement
 * host); the source is left with a new, empty vault. The destination opens the vault with the key the server keeps
 * for it (and adds its own), so the move needs that key: a private or encrypted vault is refused (403), as are a
 * source outside the project and a destination whose vault holds data. Every check comes before the one
 * transaction that moves everything, so a refused or interrupted move changes nothing.
 */
export async function moveVault(ctx: AppContext, destination: Agent, sourceAgentId: string): Promise<void> {
  const source = await findAgent(ctx.store.db, destination.projectId, sourceAgentId);
  if (!source) throw forbidden('The source agent is not an agent of this project.');
  if (source.vault.encrypted || source.vault.keyCustody === 'private') {
    throw forbidden("The source agent's vault is private (only its vault password opens it elsewhere), so it cannot be moved; restore its backups onto the new agent with the password instead.");
  }
  if (await vaultHoldsData(ctx.store.db, destination.id)) throw forbidden("The destination agent's vault already contains data.");
  if (!(await recoveryKeyStore.vaultCopy(ctx.store.db, source.vault.id))) {
    throw forbidden("The server holds no key for the source agent's vault (its agent has not deposited one), so the destination could not open it; the vault was not moved.");
  }
  agentKeyForSecrets(destination);
  await ctx.store.transaction(async (tx) => {
    const busy = await tx.db
      .selectFrom('jobs')
      .select(['agent_id', 'kind'])
      .where('agent_id', 'in', [source.id, destination.id])
      .where('state', 'not in', [...backupMachine.terminal]) // a superset of the restore and cleanup terminal states
      .limit(1)
      .executeTakeFirst();
    if (busy) throw conflict(`Agent ${busy.agent_id} has a ${busy.kind} that has not ended; wait for it or stop it, then move the vault.`);
    // Compare-and-set on both agents: a concurrent change (another move, a PATCH) makes this one refuse whole.
    const taken = await tx.db
      .updateTable('agents')
      .set({
        vault_id: source.vault.id,
        vault_region: source.vault.region,
        vault_use_internal: source.vault.useInternal ? 1 : 0,
        vault_encrypted: 0,
        vault_bytes: source.vault.bytes,
        key_custody: 'server',
        vault_files: source.vault.files,
        version_no: destination.version_no + 1,
      })
      .where('id', '=', destination.id)
      .where('version_no', '=', destination.version_no)
      .executeTakeFirst();
    const emptied = await tx.db
      .updateTable('agents')
      .set({ vault_id: randomUUID(), vault_region: source.host.region, vault_encrypted: 0, vault_bytes: 0, vault_files: 0, version_no: source.version_no + 1 })
      .where('id', '=', source.id)
      .where('version_no', '=', source.version_no)
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) !== 1 || Number(emptied.numUpdatedRows) !== 1) throw conflict('One of the agents changed while the vault was being moved; nothing was moved. Try again.');
    await tx.db.updateTable('configurations').set({ agent_id: destination.id }).where('agent_id', '=', source.id).execute();
    await tx.db.updateTable('jobs').set({ agent_id: destination.id }).where('agent_id', '=', source.id).execute();
    await announceAgentChanged(ctx, tx, destination.projectId, destination.id);
    await announceAgentChanged(ctx, tx, source.projectId, source.id);
  });
}
