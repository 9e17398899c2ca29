import { evaluateTests, type AllowListPatch } from '../../domain/json-patch/index.js';
import { conflict } from '../../errors/app-error.js';
import type { AppContext } from '../../server/context.js';
import { isoNow } from '../../server/time.js';
import { compareAndSet } from '../../store/compare-and-set.js';
import { BodyCheck } from '../common/body-check.js';
import { configurationFromRow, documentColumns, type Configuration, type ConfigurationDocument } from './configuration.js';
import { recordConfigurationChanged } from './configuration-changed.event.js';
import { checkConfigurationDocument } from './configuration-rules.js';
import { patchedDocument } from './configuration-patch.message.js';
import { firstDueTime } from './configuration-schedule.js';

export const DELETED_MESSAGE = 'The configuration has been deleted and cannot be changed.';

/**
 * Applies a configuration PATCH: `test` ops against the stored representation, then the create rules on the
 * resulting document. Configurations follow the optimistic rule (compareAndSet): concurrent PATCHes are rare, and
 * the loser is judged again on the winner's result, so neither loses the other's change.
 */
export async function updateConfiguration(ctx: AppContext, configurationId: string, patch: AllowListPatch, present: (configuration: Configuration) => unknown): Promise<void> {
  await compareAndSet<Configuration, void>(ctx.store, {
    table: 'configurations',
    id: configurationId,
    noun: 'configuration',
    rule: 'optimistic',
    read: async (tx) => configurationFromRow(await tx.db.selectFrom('configurations').selectAll().where('id', '=', configurationId).executeTakeFirstOrThrow()),
    decide(current) {
      evaluateTests(present(current), patch.tests);
      const next = checkConfigurationDocument(new BodyCheck(patchedDocument({ ...documentOf(current) }, patch.changes)));
      if (current.deleted) throw conflict(DELETED_MESSAGE);
      if (patch.changes.size === 0) return { write: false, result: undefined };
      const now = isoNow();
      const updated: Configuration = { ...current, ...next, updatedAt: now, version: current.version + 1 };
      const timing =
        current.enabled !== next.enabled || JSON.stringify(current.schedule) !== JSON.stringify(next.schedule) || JSON.stringify(current.backup_window) !== JSON.stringify(next.backup_window);
      return {
        write: true,
        set: { ...documentColumns(next), next_scheduled_time: timing ? firstDueTime(updated, new Date(now)) : current.nextDueTime, updated_at: now },
        after: (tx) => recordConfigurationChanged(ctx, tx, current.projectId, current.agentId, current.id),
        result: () => undefined,
      };
    },
  });
}

function documentOf(configuration: Configuration): ConfigurationDocument {
  const { name, enabled, schedule, retention, inclusions, exclusions, notifications, bandwidth, backup_window } = configuration;
  return { name, enabled, schedule, retention, inclusions, exclusions, notifications, bandwidth, backup_window };
}
