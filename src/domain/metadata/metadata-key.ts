import { characterCount, firstCharacters, isRubyPresent, rubyToS } from './ruby-text.js';

export const MAX_KEY_NAME_LENGTH = 63;
export const MAX_KEY_PREFIX_LENGTH = 253;
export const MAX_LABEL_VALUE_LENGTH = 63;
export const RESERVED_KEY_PREFIX = 'cloudfoundry.org';

/**
 * Cloud Controller's DOMAIN_REGEX: two or more dot-separated DNS labels. Ruby's version ends in `\Z`, which
 * also accepts one trailing newline; this one does not, so a prefix can never hold a line break.
 */
const DNS_PREFIX = /^(([a-z0-9]|[a-z0-9][a-z0-9-]{0,61}[a-z0-9])\.)+([a-z0-9]|[a-z0-9][a-z0-9-]{0,61}[a-z0-9])$/i;
const INVALID_CHARACTER = /[^\w\-.]/;
const ALPHANUMERIC_AT_BOTH_ENDS = /^(?=[a-zA-Z0-9])[^\n]*[a-zA-Z0-9]$/;

export interface MetadataKeyParts {
  /** null when the key has no "/" */
  readonly prefix: string | null;
  readonly name: string;
}

/** Splits "prefix/name" like Ruby's `key.split('/')`, which drops trailing empty parts ("a.com/" → name ""). */
export function splitMetadataKey(key: string): MetadataKeyParts {
  if (!key.includes('/')) return { prefix: null, name: key };
  const parts = key.split('/');
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  const [prefix, name] = parts;
  if (prefix === undefined) return { prefix: null, name: '' };
  return { prefix, name: name ?? '' };
}

/** The first rule a label or annotation key breaks (Cloud Controller's order and wording), or undefined. */
export function metadataKeyError(key: string): string | undefined {
  if (!isRubyPresent(key)) return 'key cannot be empty string';
  if (key.split('/').length - 1 > 1) return "key has more than one '/'";
  const { prefix, name } = splitMetadataKey(key);
  if (prefix !== null) {
    if (!DNS_PREFIX.test(prefix)) return `prefix '${prefix}' must be in valid dns format`;
    if (characterCount(prefix) > MAX_KEY_PREFIX_LENGTH) {
      return `prefix '${firstCharacters(prefix, 8)}...' is greater than ${MAX_KEY_PREFIX_LENGTH} characters`;
    }
    if (prefix.toLowerCase() === RESERVED_KEY_PREFIX) return `prefix '${RESERVED_KEY_PREFIX}' is reserved`;
  }
  if (!isRubyPresent(name)) return 'key cannot be empty string';
  return labelSyntaxError(name, MAX_KEY_NAME_LENGTH);
}

/** The first rule a label value breaks, or undefined. null and "" are always acceptable. */
export function labelValueError(value: unknown): string | undefined {
  const text = rubyToS(value);
  if (text === '') return undefined;
  return labelSyntaxError(text, MAX_LABEL_VALUE_LENGTH);
}

function labelSyntaxError(text: string, maxLength: number): string | undefined {
  if (INVALID_CHARACTER.test(text)) return `'${text}' contains invalid characters`;
  if (!ALPHANUMERIC_AT_BOTH_ENDS.test(text)) return `'${text}' starts or ends with invalid characters`;
  if (characterCount(text) > maxLength) return `'${firstCharacters(text, 8)}...' is greater than ${maxLength} characters`;
  return undefined;
}
