import { badRequest } from '../../errors/app-error.js';
import type { AppContext } from '../../server/context.js';
import { findAgent } from '../agents/agent.fetcher.js';
import { requestHostBrowse } from '../browse/browse.action.js';

const POLL_MS = 100;

/**
 * Asks the drill's agent to list its scratch folder (a `host_browse`) and refuses, with a 400 naming `target_path`,
 * a folder that exists and holds anything: a drill never writes where something already is. An agent that does not
 * answer within COFFER_DRILL_TARGET_CHECK_MS (offline, busy) lets the request through: the agent checks the folder again
 * itself before each restore, and a run into a non-empty folder fails saying so.
 */
export async function assertTargetFolderEmpty(ctx: AppContext, drill: { projectId: string; agentId: string; targetPath: string }, waitMs = ctx.config.drillTargetCheckMs): Promise<void> {
  const agent = await findAgent(ctx.store.db, drill.projectId, drill.agentId);
  if (!agent || !agent.enabled) return;
  const requestId = await requestHostBrowse(ctx, agent, { path: drill.targetPath, pathEncoded: null });
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    const row = await ctx.store.db.selectFrom('events').select('body').where('subject_id', '=', requestId).where('name', '=', 'host_browsed').where('hidden', '=', 1).executeTakeFirst();
    if (row) {
      const result = JSON.parse(row.body) as { succeeded?: boolean; items?: { name?: unknown }[] };
      const items = Array.isArray(result.items) ? result.items : [];
      if (result.succeeded === true && items.length > 0) {
        const example = typeof items[0]?.name === 'string' ? `, e.g. "${items[0].name}"` : '';
        throw badRequest('Validation failed.', [
          `target_path ${drill.targetPath} on agent "${agent.name}" is not empty (${items.length} entr${items.length === 1 ? 'y' : 'ies'}${example}): a drill restores only into an empty or new folder, and removes it afterwards.`,
        ]);
      }
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
