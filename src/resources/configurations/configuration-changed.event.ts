import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../server/context.js';
import type { Tx } from '../../store/store.js';

/** Tells the agent to fetch its configuration document again (§3.2 Decision: on every create, update and delete). */
export async function recordConfigurationChanged(ctx: AppContext, tx: Tx, projectId: string, agentId: string, configurationId: string): Promise<void> {
  await ctx.events.record(tx, {
    projectId,
    agentId,
    configurationId,
    subjectId: configurationId,
    name: 'configuration_changed',
    body: { agent: { id: agentId }, request_id: randomUUID() },
  });
}
