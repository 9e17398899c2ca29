import { RETENTION_FIELDS } from '../../domain/retention/index.js';
import { readAllowListPatch, REPLACE_ONLY, type AllowListPatch, type PatchAllowList } from '../../domain/json-patch/index.js';

/** The only paths a configuration PATCH may replace (`add` is refused); values are judged on the whole result. */
export const CONFIGURATION_PATCH: PatchAllowList = {
  refusals: { style: 'brief' },
  paths: [
    ...['/name', '/enabled', '/schedule', '/retention'].map((path) => ({ path, ops: REPLACE_ONLY })),
    ...RETENTION_FIELDS.map((field) => ({ path: `/retention/${field}`, ops: REPLACE_ONLY })),
    ...['/inclusions', '/exclusions', '/notifications'].map((path) => ({ path, ops: REPLACE_ONLY })),
    ...['/bandwidth', '/bandwidth/upload_bytes_per_second', '/bandwidth/download_bytes_per_second', '/backup_window'].map((path) => ({ path, ops: REPLACE_ONLY })),
  ],
};

/** Objects whose members may be replaced one at a time. */
const MEMBER_PATHS = ['/retention/', '/bandwidth/'];

export function parseConfigurationPatch(body: unknown): AllowListPatch {
  return readAllowListPatch(body, CONFIGURATION_PATCH);
}

/** The document a patch leaves: the current fields with each changed path replaced. */
export function patchedDocument(current: Record<string, unknown>, changes: ReadonlyMap<string, unknown>): Record<string, unknown> {
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
