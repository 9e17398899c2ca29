/** The documented plural path and the singular spelling the docs' Location headers use (docs/reference/rackspace-cloud-backup-v2.md §5 row 7). */
export function requestPathSpellings(plural: string): string[] {
  return [plural, plural.replace(/-requests$/, '-request')];
}

/** Singular spellings are served but left out of the OpenAPI document. */
export function isSingularSpelling(collection: string): boolean {
  return collection.endsWith('-request');
}
