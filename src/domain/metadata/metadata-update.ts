import { isJsonObject, setOwnMember } from '../json-patch/json-value.js';
import { mergePatch } from './merge-patch.js';
import { isRequested } from './metadata-request.js';
import { rubyToS } from './ruby-text.js';

/** Labels and annotations as stored and presented: flat string maps. */
export interface ResourceMetadata {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface MetadataLimits {
  readonly maxLabels: number;
  readonly maxAnnotations: number;
}

/** Cloud Controller's defaults: max_labels_per_resource and max_annotations_per_resource. */
export const DEFAULT_METADATA_LIMITS: MetadataLimits = { maxLabels: 50, maxAnnotations: 200 };

export const EMPTY_METADATA: ResourceMetadata = { labels: {}, annotations: {} };

/** CF-LabelLimitExceeded (390020) or CF-AnnotationLimitExceeded (390023), both HTTP 422. */
export class MetadataLimitExceededError extends Error {
  override readonly name = 'MetadataLimitExceededError';
  readonly httpStatus = 422;
  constructor(
    /** Cloud Controller's error name; the V3 title is "CF-" + this */
    readonly errorName: 'LabelLimitExceeded' | 'AnnotationLimitExceeded',
    readonly code: 390020 | 390023,
    /** the V3 `detail` text */
    readonly detail: string,
  ) {
    super(detail);
  }
}

/**
 * Applies a validated `metadata` request (see validateMetadataRequest) to the current labels and
 * annotations and returns the new ones; `current` is not modified. Per key: a value creates or replaces,
 * null deletes (deleting a missing key is fine), an absent key is unchanged; values are stored as text
 * (Ruby `to_s`), so "" is kept. Labels, then annotations, are checked against the limits after merging: a
 * map fails only if it grew and now holds more than the limit, and the message counts the keys sent.
 * Throws MetadataLimitExceededError.
 */
export function mergeMetadata(current: ResourceMetadata, request: unknown, limits: MetadataLimits = DEFAULT_METADATA_LIMITS): ResourceMetadata {
  if (request === undefined || request === null) return { labels: { ...current.labels }, annotations: { ...current.annotations } };
  if (!isJsonObject(request)) throw new TypeError('mergeMetadata: the metadata request must be validated first');

  const labels = mergeStringMap(current.labels, ownMember(request, 'labels'));
  checkLimit(current.labels, labels, ownMember(request, 'labels'), limits.maxLabels, 'labels');
  const annotations = mergeStringMap(current.annotations, ownMember(request, 'annotations'));
  checkLimit(current.annotations, annotations, ownMember(request, 'annotations'), limits.maxAnnotations, 'annotations');
  return { labels, annotations };
}

function mergeStringMap(current: Readonly<Record<string, string>>, patch: unknown): Record<string, string> {
  if (!isRequested(patch)) return mergePatch(current, {}) as Record<string, string>;
  if (!isJsonObject(patch)) throw new TypeError('mergeMetadata: labels and annotations must be objects');
  const asText: Record<string, unknown> = {};
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    setOwnMember(asText, key, value === null ? null : rubyToS(value));
  }
  return mergePatch(current, asText) as Record<string, string>;
}

function checkLimit(before: Readonly<Record<string, string>>, after: Readonly<Record<string, string>>, patch: unknown, limit: number, kind: 'labels' | 'annotations'): void {
  const startCount = Object.keys(before).length;
  const endCount = Object.keys(after).length;
  if (startCount < endCount && endCount > limit) {
    const sent = isJsonObject(patch) ? Object.keys(patch).length : 0;
    const detail = `Failed to add ${sent} ${kind} because it would exceed maximum of ${limit}`;
    if (kind === 'labels') throw new MetadataLimitExceededError('LabelLimitExceeded', 390020, detail);
    throw new MetadataLimitExceededError('AnnotationLimitExceeded', 390023, detail);
  }
}

function ownMember(object: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}
