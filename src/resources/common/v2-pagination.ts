import { badRequest } from '../../errors/app-error.js';
import type { Link } from '../../server/links.js';

export type SortDir = 'asc' | 'desc';

export interface PageQuery {
  marker: string | undefined;
  limit: number;
  sortDir: SortDir;
  /** Whether limit / sort_dir were given explicitly (links repeat only what differs from the defaults). */
  explicitLimit: boolean;
  defaultSortDir: SortDir;
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

/** A query parameter given at most once, as text. */
export function singleQueryValue(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw badRequest(`The query parameter "${name}" may be given only once.`);
  return String(value);
}

export function parsePageQuery(query: Record<string, unknown>, defaultSortDir: SortDir): PageQuery {
  const marker = singleQueryValue(query.marker, 'marker');
  const limitText = singleQueryValue(query.limit, 'limit');
  const sortText = singleQueryValue(query.sort_dir, 'sort_dir');
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
  if (marker === '') throw badRequest('Invalid marker: it must not be empty.');
  return { marker, limit, sortDir, explicitLimit: limitText !== undefined, defaultSortDir };
}

export function unknownMarker(marker: string): Error {
  return badRequest(`Unknown marker "${marker}".`);
}

/** Boolean query values as old clients send them: true/false in any case, 1/0. */
export function parseBooleanQuery(value: unknown, name: string): boolean | undefined {
  const text = singleQueryValue(value, name);
  if (text === undefined) return undefined;
  const lowered = text.toLowerCase();
  if (lowered === 'true' || lowered === '1') return true;
  if (lowered === 'false' || lowered === '0') return false;
  throw badRequest(`Invalid ${name} "${text}": it must be true or false.`);
}

/**
 * Every non-empty page links both ways, as the documented examples show: `next` continues after the last item in
 * the same direction, `previous` goes back from the first item in the reverse direction. An empty page has none.
 */
export function pageLinks(collectionUrl: string, page: PageQuery, items: { id: string }[], filters: Record<string, string | undefined> = {}): Link[] {
  const first = items[0];
  const last = items.at(-1);
  if (first === undefined || last === undefined) return [];
  const href = (marker: string, sortDir: SortDir) => {
    const params = new URLSearchParams();
    params.set('marker', marker);
    if (page.explicitLimit) params.set('limit', String(page.limit));
    if (sortDir !== page.defaultSortDir) params.set('sort_dir', sortDir);
    for (const [name, value] of Object.entries(filters)) if (value !== undefined) params.set(name, value);
    return `${collectionUrl}?${params.toString()}`;
  };
  return [
    { href: href(last.id, page.sortDir), rel: 'next' },
    { href: href(first.id, page.sortDir === 'asc' ? 'desc' : 'asc'), rel: 'previous' },
  ];
}
