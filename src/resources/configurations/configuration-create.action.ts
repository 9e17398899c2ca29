import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../server/context.js';
import { isoNow } from '../../server/time.js';
import { configurationFromRow, documentColumns, type Configuration } from './configuration.js';
import { recordConfigurationChanged } from './configuration-changed.event.js';
import type { ConfigurationCreateMessage } from './configuration-create.message.js';
import { firstDueTime } from './configuration-schedule.js';

export async function createConfiguration(ctx: AppContext, projectId: string, message: ConfigurationCreateMessage): Promise<Configuration> {
  const { document } = message;
  const now = isoNow();
  const draft: Configuration = {
    ...document,
    seq: 0,
    id: randomUUID(),
    projectId,
    agentId: message.agentId,
    deleted: false,
    lastCompletedBackupId: null,
    nextDueTime: null,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  return ctx.store.transaction(async (tx) => {
    const row = await tx.db
      .insertInto('configurations')
      .values({
        id: draft.id,
        project_id: projectId,
        agent_id: message.agentId,
        ...documentColumns(document),
        deleted: 0,
        last_completed_backup_id: null,
        next_scheduled_time: firstDueTime(draft, new Date(now)),
        created_at: now,
        updated_at: now,
        version_no: 1,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordConfigurationChanged(ctx, tx, projectId, message.agentId, draft.id);
    return configurationFromRow(row);
  });
}
