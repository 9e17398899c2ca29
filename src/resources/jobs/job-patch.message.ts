import { validatePatchDocument } from '../../domain/json-patch/patch-operation.js';
import type { PatchOperation } from '../../domain/json-patch/patch-operation.js';
import { badRequest } from '../../errors/app-error.js';
import type { PatchField } from './job-patch-fields.js';

export interface JobPatchMessage {
  /** RFC 6902 `test` operations, judged against the job as it stands when the patch is applied. */
  tests: PatchOperation[];
  /** The accepted writes, in patch order. */
  writes: { field: PatchField; value: unknown }[];
}

/** Checks the patch against the job type's allow-list; every refusal names the operation, its path and the reason. */
export function parseJobPatch(body: unknown, fields: readonly PatchField[]): JobPatchMessage {
  const operations = validatePatchDocument(body);
  const byPath = new Map<string, PatchField>();
  for (const field of fields) for (const path of [field.path, ...(field.aliases ?? [])]) byPath.set(path, field);
  const tests: PatchOperation[] = [];
  const writes: JobPatchMessage['writes'] = [];
  operations.forEach((operation, index) => {
    if (operation.op === 'test') {
      tests.push(operation);
      return;
    }
    const field = byPath.get(operation.path);
    if (!field) {
      const allowed = fields.map((f) => f.path).join(', ');
      throw badRequest(`Operation ${index}: path "${operation.path}" cannot be changed; the paths that can are ${allowed}.`);
    }
    if (operation.op !== 'add' && operation.op !== 'replace') {
      throw badRequest(`Operation ${index}: op "${operation.op}" is not allowed on path "${operation.path}"; use ${field.ops.join(' or ')}.`);
    }
    if (!field.ops.includes(operation.op)) {
      throw badRequest(`Operation ${index}: op "${operation.op}" is not allowed on path "${operation.path}"; use ${field.ops.join(' or ')}.`);
    }
    const parsed = field.parse(operation.value);
    if (!parsed.ok) throw badRequest(`Operation ${index}: the value of "${operation.path}" ${parsed.message}`);
    writes.push({ field, value: parsed.value });
  });
  return { tests, writes };
}
