import { JsonPatchError, quote } from './json-patch-error.js';
import { formatPointer, lookupPointer, type PointerLookup } from './json-pointer.js';
import { jsonEqual } from './json-value.js';

/** Runs one `test` against `document` (not copied, not modified); throws kind 'test_failed'. */
export function assertTest(document: unknown, path: string, pathTokens: readonly string[], value: unknown, index: number): void {
  const target = lookupPointer(document, pathTokens);
  if (!target.found) {
    throw new JsonPatchError('test_failed', `Operation ${index}: test failed: ${describeMissing(target, pathTokens, 'path', path)}`, index, path);
  }
  if (!jsonEqual(target.value, value)) {
    throw new JsonPatchError('test_failed', `Operation ${index}: test failed: the value at path ${quote(path)} is not equal to the given value`, index, path);
  }
}

/** `path "/a/b" does not exist`, followed by the reason when it is not simply a missing last member. */
export function describeMissing(lookup: PointerLookup, tokens: readonly string[], member: 'path' | 'from', pointer: string): string {
  const head = `${member} ${quote(pointer)} does not exist`;
  if (lookup.found || (lookup.failure === 'missing' && lookup.depth === tokens.length - 1)) return head;
  return `${head}: ${missingReason(lookup, tokens)}`;
}

export function missingReason(lookup: PointerLookup, tokens: readonly string[]): string {
  if (lookup.found) return 'it exists';
  // A failed lookup's depth is the index of the token it stopped at, so the token exists.
  const token = tokens[lookup.depth]!;
  switch (lookup.failure) {
    case 'missing':
      return `${quote(formatPointer(tokens.slice(0, lookup.depth + 1)))} does not exist`;
    case 'invalid_index':
      return `${quote(token)} is not a valid array index`;
    case 'end_marker':
      return '"-" refers to the nonexistent element after the end of an array';
    case 'out_of_bounds':
      return `array index ${token} is out of bounds`;
    case 'not_a_container':
      return `${quote(formatPointer(tokens.slice(0, lookup.depth)))} is not an object or array`;
  }
}
