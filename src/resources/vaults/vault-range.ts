export type RangeRequest = { kind: 'whole' } | { kind: 'range'; offset: number; length: number } | { kind: 'unsatisfiable' };

/**
 * Reads a single `Range: bytes=first-last` header against a file of `size` bytes. Vault readers ask for exact
 * ranges, so a range that reaches past the end is refused (416) rather than shortened: a short read would
 * otherwise pass for a whole one. `bytes=first-` and suffix ranges `bytes=-n` are accepted as RFC 9110 defines them.
 */
export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (header === undefined || header.trim() === '') return { kind: 'whole' };
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return { kind: 'unsatisfiable' };
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (!Number.isSafeInteger(suffix) || suffix === 0 || suffix > size) return { kind: 'unsatisfiable' };
    return { kind: 'range', offset: size - suffix, length: suffix };
  }
  const first = Number(match[1]);
  const last = match[2] === '' ? size - 1 : Number(match[2]);
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last) || last < first || last >= size) return { kind: 'unsatisfiable' };
  return { kind: 'range', offset: first, length: last - first + 1 };
}
