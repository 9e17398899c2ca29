import { isJsonObject } from '../json-patch/json-value.js';
import { labelValueError, metadataKeyError } from './metadata-key.js';
import { characterCount, firstCharacters, isRubyPresent, rubyToS } from './ruby-text.js';

export const MAX_ANNOTATION_VALUE_LENGTH = 5000;

/**
 * Validates the `metadata` member of a create or update body the way Cloud Controller does and returns its
 * error texts in Cloud Controller's order, each already prefixed with "Metadata ". Pass `undefined` when the
 * body has no `metadata` member (nothing to check); `null` is "must be an object", as in Cloud Controller.
 * A non-empty result is one 422 CF-UnprocessableEntity whose detail is the texts joined with ", ".
 */
export function validateMetadataRequest(metadata: unknown): string[] {
  if (metadata === undefined) return [];
  if (!isJsonObject(metadata)) return ['Metadata must be an object'];

  const errors: string[] = [];
  const unexpected = Object.keys(metadata).filter((key) => key !== 'labels' && key !== 'annotations');
  if (unexpected.length > 0) {
    errors.push(`Metadata has unexpected field(s): ${unexpected.map((key) => `'${key}'`).join(' ')}`);
  }

  const labels = ownMember(metadata, 'labels');
  if (isRequested(labels)) {
    if (!isJsonObject(labels)) errors.push("Metadata 'labels' is not an object");
    else errors.push(...labelErrors(labels));
  }
  const annotations = ownMember(metadata, 'annotations');
  if (isRequested(annotations)) {
    if (!isJsonObject(annotations)) errors.push("Metadata 'annotations' is not an object");
    else errors.push(...annotationErrors(annotations));
  }
  return errors;
}

/** Each label can yield a key error and a value error. Keys are checked even when the value is null. */
function labelErrors(labels: Record<string, unknown>): string[] {
  const errors: string[] = [];
  for (const key of Object.keys(labels)) {
    const keyError = metadataKeyError(key);
    if (keyError) errors.push(`Metadata label key error: ${keyError}`);
    const valueError = labelValueError(labels[key]);
    if (valueError) errors.push(`Metadata label value error: ${valueError}`);
  }
  return errors;
}

/** Annotation keys are only checked when the value is present (so deleting a bad key is allowed). */
function annotationErrors(annotations: Record<string, unknown>): string[] {
  const errors: string[] = [];
  for (const key of Object.keys(annotations)) {
    const value = annotations[key];
    const keyError = isRubyPresent(value) ? metadataKeyError(key) : undefined;
    if (keyError) errors.push(`Metadata annotation key error: ${keyError}`);
    if (annotationValueLength(value) > MAX_ANNOTATION_VALUE_LENGTH) {
      const start = firstCharacters(rubyToS(value), 8);
      errors.push(`Metadata annotation value error: '${start}...' is greater than ${MAX_ANNOTATION_VALUE_LENGTH} characters`);
    }
  }
  return errors;
}

/** Ruby `value.size`: characters of a string, elements of an array or hash; other scalars by their text. */
function annotationValueLength(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (Array.isArray(value)) return value.length;
  if (isJsonObject(value)) return Object.keys(value).length;
  return characterCount(rubyToS(value));
}

/** Ruby truthiness as Cloud Controller tests `if labels`: absent, null and false mean "not requested". */
export function isRequested(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false;
}

function ownMember(object: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}
