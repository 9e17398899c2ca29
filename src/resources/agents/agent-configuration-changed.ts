import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../server/context.js';
import type { Tx } from '../../store/store.js';

/** What the agent reads in its configuration document changed (log level, vault, enabled): it should fetch it again. */
export async function announceAgentChanged(ctx: AppContext, tx: Tx, projectId: string, agentId: string): Promise<void> {
  await ctx.events.record(tx, { projectId, agentId, name: 'configuration_changed', body: { agent: { id: agentId }, request_id: randomUUID() } });
}
