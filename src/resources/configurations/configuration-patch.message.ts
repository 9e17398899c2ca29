import { RETENTION_FIELDS } from '../../domain/retention/index.js';
import { interpretRestrictedPatch, validatePatchDocument, type RestrictedPatch, type RestrictedPatchRules } from '../../domain/json-patch/index.js';

/** The only paths a configuration PATCH may replace (`add` is refused); values are judged on the whole result. */
export const CONFIGURATION_PATCH_RULES: RestrictedPatchRules = {
  '/name': { ops: 'replace' },
  '/enabled': { ops: 'replace' },
  '/schedule': { ops: 'replace' },
  '/retention': { ops: 'replace' },
  ...Object.fromEntries(RETENTION_FIELDS.map((field) => [`/retention/${field}`, { ops: 'replace' as const }])),
  '/inclusions': { ops: 'replace' },
  '/exclusions': { ops: 'replace' },
  '/notifications': { ops: 'replace' },
  '/bandwidth': { ops: 'replace' },
  '/bandwidth/upload_bytes_per_second': { ops: 'replace' },
  '/bandwidth/download_bytes_per_second': { ops: 'replace' },
};

/** Objects whose members may be replaced one at a time. */
const MEMBER_PATHS = ['/retention/', '/bandwidth/'];

export function parseConfigurationPatch(body: unknown): RestrictedPatch {
  return interpretRestrictedPatch(validatePatchDocument(body), CONFIGURATION_PATCH_RULES);
}

/** The document a patch leaves: the current fields with each changed path replaced. */
export function patchedDocument(current: Record<string, unknown>, changes: Map<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = structuredClone(current);
  for (const [path, value] of changes) {
    const parent = MEMBER_PATHS.find((prefix) => path.startsWith(prefix));
    if (parent) {
      const key = parent.slice(1, -1);
      result[key] = { ...(result[key] as Record<string, unknown> | null), [path.slice(parent.length)]: value };
    } else {
      result[path.slice(1)] = value;
    }
  }
  return result;
}
