import type { AppContext } from '../../server/context.js';
import { removeAgentLogfiles } from '../logfiles/logfile-blob.js';

/**
 * Deletes the agent; the schema's cascades drop its tokens, configurations, jobs, log files and requests. Its log
 * files in storage go too. No event is recorded: nobody is left to read it.
 */
export async function deleteAgent(ctx: AppContext, agentId: string): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    await tx.db.deleteFrom('agents').where('id', '=', agentId).execute();
  });
  await removeAgentLogfiles(ctx.blobs, agentId);
}
