import { labelValueError, metadataKeyError, splitMetadataKey } from '../metadata/metadata-key.js';

export type LabelSelectorOperator = 'in' | 'notin' | 'equal' | 'not_equal' | 'exists' | 'not_exists';

export interface LabelSelectorRequirement {
  readonly operator: LabelSelectorOperator;
  /** the key as written, e.g. "example.com/env" */
  readonly key: string;
  readonly keyPrefix: string | null;
  readonly keyName: string;
  /** for in/notin/equal/not_equal; empty for exists/not_exists (and for `key=`, which then matches nothing) */
  readonly values: readonly string[];
}

export interface LabelSelector {
  /** all must hold (comma = AND) */
  readonly requirements: readonly LabelSelectorRequirement[];
}

export const MAX_LABEL_SELECTOR_REQUIREMENTS = 50;

/**
 * A label_selector that Cloud Controller would refuse. `messages` are its texts in order (one per bad
 * requirement); the API answers 400 CF-BadQueryParameter with detail
 * "The query parameter is invalid: " + messages joined with ", " (together with any other query errors).
 */
export class LabelSelectorError extends Error {
  override readonly name = 'LabelSelectorError';
  constructor(readonly messages: readonly string[]) {
    super(messages.join(', '));
  }
}

// Cloud Controller's patterns (MetadataHelpers), ported: Ruby `.` never matches "\n", `\A`/`\z` are ^/$ here.
const KEY = '[\\w\\-._/]+';
const PATTERNS: readonly { readonly operator: LabelSelectorOperator; readonly pattern: RegExp }[] = [
  { operator: 'in', pattern: /^(?<key>[^\n]*?) in \((?<values>[^\n]*)\)$/ },
  { operator: 'notin', pattern: /^(?<key>[^\n]*?) notin \((?<values>[^\n]*)\)$/ },
  { operator: 'equal', pattern: new RegExp(`^(?<key>${KEY})(==?)(?<values>[^\\n]*)$`) },
  { operator: 'not_equal', pattern: new RegExp(`^(?<key>${KEY})(!=)(?<values>[^\\n]*)$`) },
  { operator: 'exists', pattern: new RegExp(`^(?<key>${KEY})$`) },
  { operator: 'not_exists', pattern: new RegExp(`^!(?<key>${KEY})$`) },
];

/**
 * Parses a `label_selector` query value (already URL-decoded), e.g. `env=dev,!chargeback-code,tier in (backend,worker)`,
 * and checks it with Cloud Controller's rules and texts. Throws LabelSelectorError.
 */
export function parseLabelSelector(text: string): LabelSelector {
  const parsed = splitRequirements(text).map(parseRequirement);
  if (parsed.length === 0) throw new LabelSelectorError(['Missing label_selector value']);
  if (parsed.length > MAX_LABEL_SELECTOR_REQUIREMENTS) {
    throw new LabelSelectorError([`Too many label_selector requirements (maximum is ${MAX_LABEL_SELECTOR_REQUIREMENTS})`]);
  }
  const messages = parsed.map(requirementError).filter((message): message is string => message !== undefined);
  if (messages.length > 0) throw new LabelSelectorError(messages);
  return { requirements: parsed as LabelSelectorRequirement[] };
}

/**
 * Cloud Controller's `label_selector.scan(/(?:\(.*?\)|[^,])+/)`: commas split requirements except inside
 * "( … )" on one line; empty pieces vanish. Written as a scanner so long inputs cannot make it quadratic.
 */
export function splitRequirements(text: string): string[] {
  const closingParenAfter = nextClosingParenOnSameLine(text);
  const pieces: string[] = [];
  let position = 0;
  while (position < text.length) {
    const start = position;
    while (position < text.length) {
      const close = text[position] === '(' ? (closingParenAfter[position] ?? -1) : -1;
      if (close >= 0) position = close + 1;
      else if (text[position] !== ',') position++;
      else break;
    }
    if (position > start) pieces.push(text.slice(start, position));
    else position++;
  }
  return pieces;
}

/** For each position, the index of the first ")" after it with no line break in between, or -1. */
function nextClosingParenOnSameLine(text: string): Int32Array {
  const result = new Int32Array(text.length + 1).fill(-1);
  for (let index = text.length - 1; index >= 0; index--) {
    const next = text[index + 1];
    if (next === ')') result[index] = index + 1;
    else if (next === '\n' || next === undefined) result[index] = -1;
    else result[index] = result[index + 1] ?? -1;
  }
  return result;
}

function parseRequirement(text: string): LabelSelectorRequirement | undefined {
  // in/notin need a final ")" and no line break; checking first keeps their lazy key pattern linear.
  const setShaped = text.endsWith(')') && !text.includes('\n');
  for (const { operator, pattern } of PATTERNS) {
    if ((operator === 'in' || operator === 'notin') && !setShaped) continue;
    const groups = pattern.exec(text)?.groups;
    const key = groups?.key;
    if (groups === undefined || key === undefined) continue;
    const { prefix, name } = splitMetadataKey(key);
    return { operator, key, keyPrefix: prefix, keyName: name, values: splitValues(groups.values ?? '') };
  }
  return undefined;
}

/** Ruby `values.split(',')`: keeps inner empty values, drops trailing ones, and "" gives none. */
function splitValues(values: string): string[] {
  const parts = values.split(',');
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** The first problem of one requirement: unparseable, then its key, then its values in order. */
function requirementError(requirement: LabelSelectorRequirement | undefined): string | undefined {
  if (!requirement) return 'Invalid label_selector value';
  const keyError = metadataKeyError(requirement.key);
  if (keyError) return keyError;
  for (const value of requirement.values) {
    const valueError = labelValueError(value);
    if (valueError) return valueError;
  }
  return undefined;
}
