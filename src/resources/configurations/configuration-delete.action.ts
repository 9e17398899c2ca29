import type { AppContext } from '../../server/context.js';
import { isoNow } from '../../server/time.js';
import type { Configuration } from './configuration.js';
import { recordConfigurationChanged } from './configuration-changed.event.js';

/** Soft delete: the configuration stays readable with `deleted: true`, leaves the lists and takes no new backups. */
export async function deleteConfiguration(ctx: AppContext, configuration: Configuration): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    const result = await tx.db
      .updateTable('configurations')
      .set((eb) => ({ deleted: 1, next_scheduled_time: null, updated_at: isoNow(), version_no: eb('version_no', '+', 1) }))
      .where('id', '=', configuration.id)
      .where('deleted', '=', 0)
      .executeTakeFirst();
    // Deleting twice is not an error, and tells the agent nothing new.
    if (Number(result.numUpdatedRows) === 1) await recordConfigurationChanged(ctx, tx, configuration.projectId, configuration.agentId, configuration.id);
  });
}
