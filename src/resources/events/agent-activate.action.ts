import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../server/context.js';
import { activationDeadline, type ActivationMode } from '../agents/agent-activity.js';

/**
 * `agent_activate`: every agent of the project (agentId null, from POST /events) or one agent polls and heartbeats
 * at the mode's rate until the activation period ends.
 */
export async function activateAgents(ctx: AppContext, projectId: string, agentId: string | null, mode: ActivationMode): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    let update = tx.db
      .updateTable('agents')
      .set({ activation_mode: mode, activation_until: activationDeadline(mode) })
      .where('project_id', '=', projectId);
    if (agentId !== null) update = update.where('id', '=', agentId);
    await update.execute();
    await ctx.events.record(tx, { projectId, agentId, name: 'agent_activate', body: { mode, request_id: randomUUID() } });
  });
}
