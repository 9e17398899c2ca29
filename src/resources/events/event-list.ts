import { setTimeout as sleep } from 'node:timers/promises';
import type { AppContext } from '../../server/context.js';
import { beyondSql, cutAtHorizon, readCommitHorizon, settledSql, streamOrderSql, type StreamPosition } from '../../store/commit-order.js';
import type { EventListMessage } from './event-list.message.js';
import type { EventWaiter } from './event-waiters.js';
import { scopeParts, type EventScope } from './event-scope.js';
import type { EventRow } from './event.presenter.js';

export interface EventPage {
  rows: EventRow[];
  /** Events of the scope committed but held back behind a transaction still running (src/store/commit-order.ts). */
  held: boolean;
}

/**
 * One page of a scope's events in commit order (src/store/commit-order.ts). Ascending, `marker` means "after this
 * event" (what pollers want); descending, the page continues before it, so `next` and `previous` links walk the list
 * both ways. A marker that names no event (pruned, or any number a client kept) compares by id.
 */
export async function listEvents(ctx: AppContext, scope: EventScope, message: EventListMessage): Promise<EventPage> {
  const { page, markerId } = message;
  const { db } = ctx.store;
  const engine = ctx.store.capabilities.engine;
  const ascending = page.sortDir === 'asc';
  const horizon = await readCommitHorizon(db, engine);
  const position = markerId === undefined ? undefined : await markerPosition(ctx, markerId);
  const parts = scopeParts(db.selectFrom('events').select(['id', 'name', 'time', 'body', 'commit_tx']).select(settledSql(horizon).as('settled')), scope).map((part) => {
    if (markerId !== undefined) part = position ? part.where(beyondSql(position, 'id', page.sortDir)) : part.where('id', ascending ? '>' : '<', markerId);
    // Descending, the newest rows come first: leave out the unsettled ones rather than stop at them.
    if (!ascending) part = part.where(settledSql(horizon));
    return part;
  });
  // Several parts (an agent's stream) are one compound statement ordered as a whole: each part walks its own index
  // range in stream order and the database merges them, stopping at the limit. (Each part as an ordered, limited
  // subquery of its own costs the database a sort of every part: three times the time of this form.)
  const query = parts
    .reduce((union, next) => union.unionAll(next))
    .orderBy(streamOrderSql('id', page.sortDir))
    .limit(page.limit);
  const rows = (await query.execute()) as (EventRow & { commit_tx: unknown; settled: unknown })[];
  const { rows: settled, held } = cutAtHorizon(rows);
  return { rows: settled.map(({ settled: _, commit_tx: __, ...row }) => row), held };
}

async function markerPosition(ctx: AppContext, markerId: number): Promise<StreamPosition | undefined> {
  // One writer committing in id order: every row's commit_tx is 0, and a marker's position is its id.
  if (ctx.store.capabilities.commitOrder === 'single-writer') return { commitTx: 0, id: markerId };
  const row = await ctx.store.db.selectFrom('events').select(['commit_tx', 'id']).where('id', '=', markerId).executeTakeFirst();
  return row ? { commitTx: Number(row.commit_tx), id: Number(row.id) } : undefined;
}

/** How soon a long poll that found only held-back events looks again, at first and at most. */
const HELD_RECHECK_MS = { first: 2, max: 20 };

/**
 * The long poll: answers as soon as the scope has a matching event, or when the wait runs out, the client goes
 * away (`signal`) or the server stops. The waiter is armed before each query, so an event that commits between the
 * query and the wait still wakes it; events held back behind a transaction still running are looked for again soon.
 */
export async function listEventsWaiting(ctx: AppContext, scope: EventScope, message: EventListMessage, signal: AbortSignal): Promise<EventRow[]> {
  const deadline = Date.now() + message.waitMs;
  // An agent's stream only changes with that agent's events or project-wide ones: other agents' don't wake it.
  const agentId = scope.kind === 'agent' ? scope.agentId : undefined;
  let waiter: EventWaiter | undefined;
  const stop = () => waiter && ctx.events.cancel(waiter);
  signal.addEventListener('abort', stop, { once: true });
  let recheckMs = HELD_RECHECK_MS.first;
  try {
    for (;;) {
      const remaining = deadline - Date.now();
      waiter = remaining > 0 && !signal.aborted ? ctx.events.arm(scope.projectId, agentId, deadline) : undefined;
      const page = await listEvents(ctx, scope, message);
      if (page.rows.length > 0 || waiter === undefined || signal.aborted || ctx.events.isClosed) return page.rows;
      if (page.held) {
        await Promise.race([waiter.woken, sleep(Math.min(recheckMs, remaining))]);
        recheckMs = Math.min(recheckMs * 2, HELD_RECHECK_MS.max);
      } else if ((await waiter.woken) === 'deadline') {
        // Nothing of the scope committed since the query (an event would have woken it first): nothing to read.
        // One that commits at this very moment is read by the poll that follows.
        return [];
      }
      ctx.events.cancel(waiter);
      if (signal.aborted) return [];
      if (ctx.events.isClosed || Date.now() >= deadline) return (await listEvents(ctx, scope, message)).rows;
    }
  } finally {
    if (waiter) ctx.events.cancel(waiter);
    signal.removeEventListener('abort', stop);
  }
}
