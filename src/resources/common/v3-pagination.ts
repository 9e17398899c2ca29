/**
 * Cloud Controller's V3 list conventions (docs/reference/cf-v3-tasks.md §6): page/per_page/order_by, the pagination envelope and
 * its links, whose query strings are serialised like Rails `Hash#to_query` (pairs CGI-escaped, then sorted).
 */

export const DEFAULT_PER_PAGE = 50;
export const MAX_PER_PAGE = 5000;

export type OrderDirection = 'asc' | 'desc';

export interface V3OrderBy {
  column: string;
  direction: OrderDirection;
}

export interface V3Paging {
  page: number;
  perPage: number;
  orderBy: V3OrderBy | undefined;
}

/** Ruby CGI.escape: everything but letters, digits and `_ . - ~` is %XX (UTF-8), and space is `+`. */
export function cgiEscape(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Decodes `%XX` sequences (UTF-8); a malformed sequence is kept as written. */
export function percentDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text.replace(/(%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

/** Query pairs as Rails reads them: `+` is space, `%XX` decoded, a key without `=` has an empty value, the last repeat wins. */
export function parseRawQuery(url: string): Map<string, string> {
  const at = url.indexOf('?');
  const params = new Map<string, string>();
  if (at < 0) return params;
  for (const part of url.slice(at + 1).split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    const key = percentDecode(rawKey.replace(/\+/g, ' '));
    params.delete(key);
    params.set(key, percentDecode(rawValue.replace(/\+/g, ' ')));
  }
  return params;
}

/** The top-level parameter name of a key: `created_ats[lt]` → `created_ats`. */
export function baseParamName(key: string): string {
  const bracket = key.indexOf('[');
  return bracket > 0 ? key.slice(0, bracket) : key;
}

/** Checks page, per_page and order_by; returns Cloud Controller's messages for what is wrong. */
export function parsePaging(params: Map<string, string>, orderColumns: readonly string[]): { paging: V3Paging; errors: string[] } {
  const errors: string[] = [];
  let page = 1;
  let perPage = DEFAULT_PER_PAGE;
  let orderBy: V3OrderBy | undefined;
  const pageText = params.get('page');
  if (pageText !== undefined) {
    if (/^\d+$/.test(pageText) && Number(pageText) > 0) page = Number(pageText);
    else errors.push('Page must be a positive integer');
  }
  const perPageText = params.get('per_page');
  if (perPageText !== undefined) {
    if (!/^\d+$/.test(perPageText) || Number(perPageText) < 1) errors.push('Per page must be a positive integer');
    else if (Number(perPageText) > MAX_PER_PAGE) errors.push(`Per page must be between 1 and ${MAX_PER_PAGE}`);
    else perPage = Number(perPageText);
  }
  const orderText = params.get('order_by');
  if (orderText !== undefined) {
    // `+created_at` arrives as " created_at" when the client did not escape the plus sign.
    const sign = orderText[0] === '-' ? '-' : orderText[0] === '+' || orderText[0] === ' ' ? '+' : '';
    const column = orderText.slice(sign === '' ? 0 : 1);
    if (orderColumns.includes(column)) orderBy = { column, direction: sign === '-' ? 'desc' : 'asc' };
    else errors.push(`Order by can only be: ${orderColumns.map((c) => `'${c}'`).join(', ')}`);
  }
  return { paging: { page, perPage, orderBy }, errors };
}

export interface PaginationEnvelope {
  total_results: number;
  total_pages: number;
  first: { href: string };
  last: { href: string };
  next: { href: string } | null;
  previous: { href: string } | null;
}

/**
 * `pairs` are the already-escaped `key=value` strings of the filters the client sent (order_by included); page and
 * per_page are added here. total_pages is at least 1; `next` and `previous` exist only when that page does.
 */
export function paginationEnvelope(collectionUrl: string, paging: V3Paging, totalResults: number, pairs: readonly string[]): PaginationEnvelope {
  const totalPages = Math.max(1, Math.ceil(totalResults / paging.perPage));
  const href = (page: number) => {
    const all = [...pairs, `page=${page}`, `per_page=${paging.perPage}`].sort();
    return { href: `${collectionUrl}?${all.join('&')}` };
  };
  return {
    total_results: totalResults,
    total_pages: totalPages,
    first: href(1),
    last: href(totalPages),
    next: paging.page + 1 <= totalPages ? href(paging.page + 1) : null,
    previous: paging.page - 1 >= 1 ? href(paging.page - 1) : null,
  };
}

/** `order_by` as Cloud Controller repeats it in links: `-created_at`, or `+created_at` (escaped `%2B`) for ascending. */
export function orderByPair(orderBy: V3OrderBy | undefined): string[] {
  if (!orderBy) return [];
  return [`order_by=${cgiEscape(`${orderBy.direction === 'desc' ? '-' : '+'}${orderBy.column}`)}`];
}
