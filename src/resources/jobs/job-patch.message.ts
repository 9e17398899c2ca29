import { readAllowListPatch, type PatchAllowList, type PatchTest } from '../../domain/json-patch/index.js';
import type { PatchField } from './job-patch-fields.js';

export interface JobPatchMessage {
  /** RFC 6902 `test` operations, judged against the job as it stands when the patch is applied. */
  tests: readonly PatchTest[];
  /** The accepted writes, one per field, in the order first written. */
  writes: { field: PatchField; value: unknown }[];
}

/** Reads a job report against the job kind's allow-list; every refusal names the operation, its path and the reason. */
export function parseJobPatch(body: unknown, allowList: PatchAllowList<PatchField>): JobPatchMessage {
  const { tests, changes } = readAllowListPatch(body, allowList);
  const writes = [...changes].map(([path, value]) => ({ field: allowList.paths.find((field) => field.path === path) as PatchField, value }));
  return { tests, writes };
}
