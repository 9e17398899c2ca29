export { mergePatch } from './merge-patch.js';
export { labelValueError, MAX_KEY_NAME_LENGTH, MAX_KEY_PREFIX_LENGTH, MAX_LABEL_VALUE_LENGTH, metadataKeyError, RESERVED_KEY_PREFIX, splitMetadataKey, type MetadataKeyParts } from './metadata-key.js';
export { MAX_ANNOTATION_VALUE_LENGTH, validateMetadataRequest } from './metadata-request.js';
export { DEFAULT_METADATA_LIMITS, EMPTY_METADATA, mergeMetadata, MetadataLimitExceededError, type MetadataLimits, type ResourceMetadata } from './metadata-update.js';
