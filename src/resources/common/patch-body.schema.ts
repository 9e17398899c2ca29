import { Type } from 'typebox';
import type { PatchAllowList } from '../../domain/json-patch/index.js';

/**
 * The OpenAPI description of a JSON Patch request body, made from the endpoint's allow-list so the two cannot
 * drift: one item shape per set of ops (with the paths, aliases included, that take them) and `test` of any path.
 * The routes attach it without enforcing it (`attachValidation`): the allow-list itself judges the body, with the
 * endpoint's own error texts.
 */
export function patchBodySchema(allowList: PatchAllowList) {
  const pathsByOps = new Map<string, string[]>();
  for (const allowed of allowList.paths) {
    const key = allowed.ops.join(' or ');
    pathsByOps.set(key, [...(pathsByOps.get(key) ?? []), allowed.path, ...(allowed.aliases ?? [])]);
  }
  const writes = [...pathsByOps].map(([ops, paths]) => Type.Object({ op: Type.String({ enum: ops.split(' or ') }), path: Type.String({ enum: paths }), value: Type.Unknown() }));
  const test = Type.Object({ op: Type.String({ enum: ['test'] }), path: Type.String({ description: 'any JSON Pointer' }), value: Type.Unknown() });
  const described = [...pathsByOps].map(([ops, paths]) => `${ops} of ${paths.join(', ')}`).join('; ');
  return Type.Array(Type.Union([...writes, test]), { description: `RFC 6902 JSON Patch: ${described}; test of any path (judged against the resource as stored)` });
}
