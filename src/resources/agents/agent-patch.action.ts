import { evaluateTests } from '../../domain/json-patch/index.js';
import { conflict, forbidden } from '../../errors/app-error.js';
import type { AppContext } from '../../server/context.js';
import { agentFromRow, type Agent } from './agent.js';
import { announceAgentChanged } from './agent-configuration-changed.js';
import type { AgentPatchMessage } from './agent-patch.message.js';
import { vaultHoldsData } from './vault-contents.js';

export const VAULT_NOT_EMPTY_MESSAGE = 'The vault property (region) cannot be updated, reason: vault is not empty.';

/**
 * Applies the agent PATCH atomically (compare-and-set on the version). A region change of a vault that holds data
 * is refused with the documented 403; a patch that changes nothing is accepted and records nothing.
 */
export async function patchAgent(ctx: AppContext, agentId: string, message: AgentPatchMessage, present: (agent: Agent) => unknown): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const outcome = await ctx.store.transaction(async (tx) => {
      const agent = agentFromRow(await tx.db.selectFrom('agents').selectAll().where('id', '=', agentId).executeTakeFirstOrThrow());
      if (message.tests.length > 0) evaluateTests(present(agent), message.tests);
      const next = {
        enabled: message.enabled ?? agent.enabled,
        region: message.region ?? agent.vault.region,
        useInternal: message.useInternal ?? agent.vault.useInternal,
        logLevel: message.logLevel ?? agent.logLevel,
      };
      if (next.region !== agent.vault.region && (await vaultHoldsData(tx.db, agent.id))) throw forbidden(VAULT_NOT_EMPTY_MESSAGE);
      const unchanged = next.enabled === agent.enabled && next.region === agent.vault.region && next.useInternal === agent.vault.useInternal && next.logLevel === agent.logLevel;
      if (unchanged) return 'done';
      const updated = await tx.db
        .updateTable('agents')
        .set({
          enabled: next.enabled ? 1 : 0,
          vault_region: next.region,
          vault_use_internal: next.useInternal ? 1 : 0,
          log_level: next.logLevel,
          version_no: agent.version_no + 1,
        })
        .where('id', '=', agent.id)
        .where('version_no', '=', agent.version_no)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) return 'retry';
      await announceAgentChanged(ctx, tx, agent.projectId, agent.id);
      return 'done';
    });
    if (outcome === 'done') return;
  }
  throw conflict('The agent is being changed by several writers at once; try again.');
}
