import type { AppContext } from '../../server/context.js';
import type { Store } from '../../store/store.js';
import { startPeriodicWork } from '../../server/periodic-work.js';
import { toWireTime } from '../../server/time.js';

/** Events are transient, but agents and clients rely on a day of history at least. */
export const MIN_EVENT_RETENTION_SECONDS = 24 * 3600;

/**
 * Deletes events older than `cutoff` (ISO time), and the browse and vault requests of that age, whose results were
 * events too; returns how many events went.
 */
export async function pruneEvents(store: Store, cutoff: string): Promise<number> {
  const result = await store.db.deleteFrom('events').where('time', '<', cutoff).executeTakeFirst();
  await store.db.deleteFrom('agent_requests').where('created_at', '<', cutoff).execute();
  return Number(result.numDeletedRows);
}

/** Events older than this are pruned: the configured retention, never less than a day. */
export function retentionCutoff(retentionSeconds: number, now = Date.now()): string {
  return toWireTime(new Date(now - Math.max(retentionSeconds, MIN_EVENT_RETENTION_SECONDS) * 1000));
}

/** Prunes every quarter of an hour; returns the stop function. */
export function startEventPruning(ctx: AppContext): () => Promise<void> {
  return startPeriodicWork(ctx, {
    what: 'event pruning',
    intervalMs: 15 * 60_000,
    run: () => pruneEvents(ctx.store, retentionCutoff(ctx.config.eventRetentionSeconds)),
  });
}
