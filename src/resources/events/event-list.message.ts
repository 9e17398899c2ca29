import { badRequest } from '../../errors/app-error.js';
import { parsePageQuery, singleQueryValue, type PageQuery, type SortDir } from '../common/v2-pagination.js';

export interface EventListMessage {
  page: PageQuery;
  /** The event id the client has seen, as a number; events are compared by id, so a pruned marker still works. */
  markerId: number | undefined;
  /** How long to hold the request when nothing matches yet; 0 = answer at once. */
  waitMs: number;
}

/**
 * marker (an event id), limit, sort_dir and the long-poll `wait` (seconds, capped at `maxWaitSeconds`). Without
 * `wait`, the request waits `defaultWaitSeconds` (the agents' own reads) or not at all.
 */
export function parseEventListQuery(query: Record<string, unknown>, defaultSortDir: SortDir, options: { maxWaitSeconds: number; defaultWaitSeconds: number }): EventListMessage {
  const page = parsePageQuery(query, defaultSortDir);
  if (page.marker !== undefined && !/^\d{1,15}$/.test(page.marker)) throw badRequest(`Invalid marker "${page.marker}": it must be an event id.`);
  const waitText = singleQueryValue(query.wait, 'wait');
  let waitSeconds = options.defaultWaitSeconds;
  if (waitText !== undefined) {
    if (!/^\d+(\.\d+)?$/.test(waitText)) throw badRequest(`Invalid wait "${waitText}": it must be a number of seconds.`);
    waitSeconds = Number(waitText);
  }
  return {
    page,
    markerId: page.marker === undefined ? undefined : Number(page.marker),
    waitMs: Math.round(Math.min(waitSeconds, options.maxWaitSeconds) * 1000),
  };
}

/**
 * How long an agent's own read waits when it names no `wait`: the longest wait less up to a quarter, at random.
 * Polls that begin together (a fleet reconnecting after a restart) would otherwise all end together, every round,
 * and come back together; spread, they end over a quarter of the wait, and further apart each round.
 */
export function agentPollWaitSeconds(maxWaitSeconds: number, random = Math.random()): number {
  return maxWaitSeconds * (1 - random / 4);
}
