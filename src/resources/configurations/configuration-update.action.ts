import { evaluateTests, type RestrictedPatch } from '../../domain/json-patch/index.js';
import { conflict } from '../../errors/app-error.js';
import type { AppContext } from '../../server/context.js';
import { isoNow } from '../../server/time.js';
import { BodyCheck } from '../common/body-check.js';
import { configurationFromRow, documentColumns, type Configuration, type ConfigurationDocument } from './configuration.js';
import { recordConfigurationChanged } from './configuration-changed.event.js';
import { checkConfigurationDocument } from './configuration-rules.js';
import { patchedDocument } from './configuration-patch.message.js';
import { firstDueTime } from './configuration-schedule.js';

export const DELETED_MESSAGE = 'The configuration has been deleted and cannot be changed.';

const MAX_ATTEMPTS = 8;

/**
 * Applies a configuration PATCH: `test` ops against the stored representation, then the create rules on the
 * resulting document; writes with compare-and-set on the version so concurrent PATCHes do not lose changes.
 */
export async function updateConfiguration(
  ctx: AppContext,
  configurationId: string,
  patch: RestrictedPatch,
  present: (configuration: Configuration) => unknown,
): Promise<void> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const outcome = await ctx.store.transaction(async (tx) => {
      const row = await tx.db.selectFrom('configurations').selectAll().where('id', '=', configurationId).executeTakeFirstOrThrow();
      const current = configurationFromRow(row);
      evaluateTests(present(current), patch.tests);
      const next = checkConfigurationDocument(new BodyCheck(patchedDocument({ ...documentOf(current) }, patch.changes)));
      if (current.deleted) throw conflict(DELETED_MESSAGE);
      if (patch.changes.size === 0) return 'done' as const;
      const now = isoNow();
      const updated: Configuration = { ...current, ...next, updatedAt: now, version: current.version + 1 };
      const timing = current.enabled !== next.enabled || JSON.stringify(current.schedule) !== JSON.stringify(next.schedule);
      const result = await tx.db
        .updateTable('configurations')
        .set({
          ...documentColumns(next),
          next_scheduled_time: timing ? firstDueTime(updated, new Date(now)) : current.nextDueTime,
          updated_at: now,
          version_no: updated.version,
        })
        .where('id', '=', current.id)
        .where('version_no', '=', current.version)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return 'retry' as const;
      await recordConfigurationChanged(ctx, tx, current.projectId, current.agentId, current.id);
      return 'done' as const;
    });
    if (outcome === 'done') return;
  }
  throw conflict('The configuration is being changed by several writers at once; try again.');
}

function documentOf(configuration: Configuration): ConfigurationDocument {
  const { name, enabled, schedule, retention, inclusions, exclusions, notifications } = configuration;
  return { name, enabled, schedule, retention, inclusions, exclusions, notifications };
}
