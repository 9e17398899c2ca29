import type { AppContext } from '../../server/context.js';
import type { EventListMessage } from './event-list.message.js';
import { whereInScope, type EventScope } from './event-scope.js';
import type { EventRow } from './event.presenter.js';

/**
 * One page of a scope's events by id. Ascending, `marker` means "newer than" (what pollers want); descending, it
 * continues below the marker, so `next` and `previous` links walk the list both ways.
 */
export async function listEvents(ctx: AppContext, scope: EventScope, message: EventListMessage): Promise<EventRow[]> {
  const { page, markerId } = message;
  let query = whereInScope(ctx.store.db.selectFrom('events').select(['id', 'name', 'time', 'body']), scope);
  if (markerId !== undefined) query = query.where('id', page.sortDir === 'asc' ? '>' : '<', markerId);
  return (await query.orderBy('id', page.sortDir).limit(page.limit).execute()) as EventRow[];
}

/**
 * The long poll: answers as soon as the scope has a matching event, or when the wait runs out, the client goes
 * away (`signal`) or the server stops. The waiter is armed before each query, so an event that commits between the
 * query and the wait still wakes it.
 */
export async function listEventsWaiting(ctx: AppContext, scope: EventScope, message: EventListMessage, signal: AbortSignal): Promise<EventRow[]> {
  const deadline = Date.now() + message.waitMs;
  for (;;) {
    const remaining = deadline - Date.now();
    const disarm = new AbortController();
    const stop = () => disarm.abort();
    signal.addEventListener('abort', stop, { once: true });
    // An agent's stream only changes with that agent's events or project-wide ones: other agents' don't wake it.
    const agentId = scope.kind === 'agent' ? scope.agentId : undefined;
    const woken = remaining > 0 ? ctx.events.waitForProjectEvent(scope.projectId, remaining, disarm.signal, agentId) : null;
    try {
      const page = await listEvents(ctx, scope, message);
      if (page.length > 0 || woken === null || signal.aborted || ctx.events.isClosed) return page;
      await woken;
      if (signal.aborted) return [];
      if (ctx.events.isClosed || Date.now() >= deadline) return await listEvents(ctx, scope, message);
    } finally {
      signal.removeEventListener('abort', stop);
      disarm.abort();
    }
  }
}
