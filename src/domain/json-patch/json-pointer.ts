import { isJsonObject } from './json-value.js';

/** Thrown by parsePointer for a string that is not an RFC 6901 JSON Pointer (JSON-string form). */
export class JsonPointerSyntaxError extends Error {
  override readonly name = 'JsonPointerSyntaxError';
  constructor(
    readonly pointer: string,
    readonly reason: string,
  ) {
    super(`${JSON.stringify(pointer)} is not a valid JSON Pointer: ${reason}`);
  }
}

const INVALID_ESCAPE = /~(?![01])/;
const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/;

/** Splits a JSON Pointer into its decoded reference tokens. "" is the whole document. */
export function parsePointer(pointer: string): string[] {
  if (typeof pointer !== 'string') throw new JsonPointerSyntaxError(String(pointer), 'not a string');
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new JsonPointerSyntaxError(pointer, 'must be empty or start with "/"');
  return pointer
    .slice(1)
    .split('/')
    .map((token) => {
      if (INVALID_ESCAPE.test(token)) throw new JsonPointerSyntaxError(pointer, '"~" must be followed by "0" or "1"');
      return token.replace(/~[01]/g, (escape) => (escape === '~0' ? '~' : '/'));
    });
}

export function formatPointer(tokens: readonly string[]): string {
  return tokens.map((token) => '/' + token.replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** True for the array index syntax of RFC 6901 §4: "0" or digits without a leading zero. */
export function isArrayIndexToken(token: string): boolean {
  return ARRAY_INDEX.test(token);
}

export type ChildLookupFailure =
  /** object without that own member */
  | 'missing'
  /** array token that is not an index ("01", "+1", "length", …) */
  | 'invalid_index'
  /** "-": the element after the last one, which never exists */
  | 'end_marker'
  /** index ≥ array length */
  | 'out_of_bounds'
  /** the parent is a string, number, boolean or null */
  | 'not_a_container';

export type PointerLookup = { readonly found: true; readonly value: unknown } | { readonly found: false; readonly failure: ChildLookupFailure; readonly depth: number };

/** Reads one member; inherited properties (toString, __proto__, constructor …) are never members. */
export function lookupChild(container: unknown, token: string): PointerLookup {
  if (Array.isArray(container)) {
    if (token === '-') return { found: false, failure: 'end_marker', depth: 0 };
    if (!isArrayIndexToken(token)) return { found: false, failure: 'invalid_index', depth: 0 };
    const index = Number(token);
    if (index >= container.length) return { found: false, failure: 'out_of_bounds', depth: 0 };
    return { found: true, value: container[index] };
  }
  if (isJsonObject(container)) {
    if (!Object.hasOwn(container, token)) return { found: false, failure: 'missing', depth: 0 };
    return { found: true, value: container[token] };
  }
  return { found: false, failure: 'not_a_container', depth: 0 };
}

/** Follows tokens from `document`; on failure `depth` is the index of the token that could not be resolved. */
export function lookupPointer(document: unknown, tokens: readonly string[]): PointerLookup {
  let current = document;
  for (const [depth, token] of tokens.entries()) {
    const step = lookupChild(current, token);
    if (!step.found) return { ...step, depth };
    current = step.value;
  }
  return { found: true, value: current };
}

/** The value at `tokens`, or undefined when there is none (JSON documents never hold undefined). */
export function getByPointer(document: unknown, tokens: readonly string[]): unknown {
  const result = lookupPointer(document, tokens);
  return result.found ? result.value : undefined;
}

/** True when `prefix` is `tokens` or one of its ancestors. */
export function isPointerPrefix(prefix: readonly string[], tokens: readonly string[]): boolean {
  return prefix.length <= tokens.length && prefix.every((token, index) => token === tokens[index]);
}
