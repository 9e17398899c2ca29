// Cloud Controller is Ruby; these reproduce the few Ruby behaviours its metadata rules depend on.

import { isJsonObject } from '../json-patch/json-value.js';

/**
 * Ruby `value.to_s` for a parsed JSON value: nil → "", strings unchanged, numbers and booleans as text,
 * arrays and hashes as Ruby's `inspect` (3.4 style, `{"a" => 1}`). Numbers use JavaScript's formatting,
 * which differs from Ruby for floats such as 1e20 (Ruby: "1.0e+20").
 */
export function rubyToS(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return rubyInspect(value);
}

/** Deeper levels are shown as Ruby shows recursive structures, `[...]` / `{...}`, instead of overflowing the stack. */
const MAX_INSPECT_NESTING = 1000;

function rubyInspect(value: unknown, depth = 0): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) {
    if (depth >= MAX_INSPECT_NESTING) return '[...]';
    return `[${value.map((item) => rubyInspect(item, depth + 1)).join(', ')}]`;
  }
  if (isJsonObject(value)) {
    if (depth >= MAX_INSPECT_NESTING) return '{...}';
    const members = Object.keys(value).map((key) => `${JSON.stringify(key)} => ${rubyInspect(value[key], depth + 1)}`);
    return `{${members.join(', ')}}`;
  }
  return String(value);
}

const BLANK = /^\p{White_Space}*$/u;

/** ActiveSupport `present?`: not nil, not false, not a blank string, not an empty array or hash. */
export function isRubyPresent(value: unknown): boolean {
  if (value === null || value === undefined || value === false) return false;
  if (typeof value === 'string') return !BLANK.test(value);
  if (Array.isArray(value)) return value.length > 0;
  if (isJsonObject(value)) return Object.keys(value).length > 0;
  return true;
}

/** Ruby `String#size`: characters (code points), not UTF-16 units. */
export function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** Ruby `text[0...count]` on characters. */
export function firstCharacters(text: string, count: number): string {
  return Array.from(text).slice(0, count).join('');
}
