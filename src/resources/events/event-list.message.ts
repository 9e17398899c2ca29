import { badRequest } from '../../errors/app-error.js';
import { DEFAULT_LIMIT, MAX_LIMIT, type PageQuery, type SortDir } from '../shared/v2-pagination.js';

export interface EventListMessage {
  page: PageQuery;
  /** The event id the client has seen, as a number; events are compared by id, so a pruned marker still works. */
  markerId: number | undefined;
  /** How long to hold the request when nothing matches yet; 0 = answer at once. */
  waitMs: number;
}

function single(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw badRequest(`The query parameter "${name}" may be given only once.`);
  return String(value);
}

/**
 * marker, limit, sort_dir and the long-poll `wait` (seconds, capped at `maxWaitSeconds`). Without `wait`, the
 * request waits `defaultWaitSeconds` (the agents' own reads) or not at all.
 */
export function parseEventListQuery(
  query: Record<string, unknown>,
  defaultSortDir: SortDir,
  options: { maxWaitSeconds: number; defaultWaitSeconds: number },
): EventListMessage {
  const marker = single(query.marker, 'marker');
  const limitText = single(query.limit, 'limit');
  const sortText = single(query.sort_dir, 'sort_dir');
  const waitText = single(query.wait, 'wait');
  if (marker !== undefined && !/^\d{1,15}$/.test(marker)) throw badRequest(`Invalid marker "${marker}": it must be an event id.`);
  let limit = DEFAULT_LIMIT;
  if (limitText !== undefined) {
    if (!/^\d+$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > MAX_LIMIT) {
      throw badRequest(`Invalid limit "${limitText}": it must be an integer from 1 to ${MAX_LIMIT}.`);
    }
    limit = Number(limitText);
  }
  let sortDir = defaultSortDir;
  if (sortText !== undefined) {
    const lowered = sortText.toLowerCase();
    if (lowered !== 'asc' && lowered !== 'desc') throw badRequest(`Invalid sort_dir "${sortText}": it must be "asc" or "desc".`);
    sortDir = lowered;
  }
  let waitSeconds = options.defaultWaitSeconds;
  if (waitText !== undefined) {
    if (!/^\d+(\.\d+)?$/.test(waitText)) throw badRequest(`Invalid wait "${waitText}": it must be a number of seconds.`);
    waitSeconds = Number(waitText);
  }
  return {
    page: { marker, limit, sortDir, explicitLimit: limitText !== undefined, defaultSortDir },
    markerId: marker === undefined ? undefined : Number(marker),
    waitMs: Math.round(Math.min(waitSeconds, options.maxWaitSeconds) * 1000),
  };
}
