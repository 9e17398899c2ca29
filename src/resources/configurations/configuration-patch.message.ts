import { RETENTION_FIELDS } from '../../domain/retention/index.js';
import { readAllowListPatch, REPLACE_ONLY, type AllowListPatch, type PatchAllowList } from '../../domain/json-patch/index.js';

/** The only paths a configuration PATCH may replace (`add` is refused); values are judged on the whole result. */
export const CONFIGURATION_PATCH: PatchAllowList = {
  refusals: { style: 'brief' },
  paths: [
    ...['/name', '/enabled', '/schedule', '/retention'].map((path) => ({ path, ops: REPLACE_ONLY })),
    ...RETENTION_FIELDS.map((field) => ({ path: `/retention/${field}`, ops: REPLACE_ONLY })),
    ...['/inclusions', '/exclusions', '/notifications'].map((path) => ({ path, ops: REPLACE_ONLY })),
  ],
};

export function parseConfigurationPatch(body: unknown): AllowListPatch {
  return readAllowListPatch(body, CONFIGURATION_PATCH);
}

/** The document a patch leaves: the current fields with each changed path replaced. */
export function patchedDocument(current: Record<string, unknown>, changes: ReadonlyMap<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = structuredClone(current);
  for (const [path, value] of changes) {
    if (path.startsWith('/retention/')) {
      result.retention = { ...(result.retention as Record<string, unknown>), [path.slice('/retention/'.length)]: value };
    } else {
      result[path.slice(1)] = value;
    }
  }
  return result;
}
