import fs from 'node:fs';
import type { AppContext } from '../../server/context.js';
import { agentLogfileDir } from '../logfiles/logfile-blob.js';

/**
 * Deletes the agent; the schema's cascades drop its tokens, configurations, jobs, log files and requests. Its log
 * files on disk go too. No event is recorded: nobody is left to read it.
 */
export async function deleteAgent(ctx: AppContext, agentId: string): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    await tx.db.deleteFrom('agents').where('id', '=', agentId).execute();
  });
  await fs.promises.rm(agentLogfileDir(ctx.config.dataDir, agentId), { recursive: true, force: true });
}
