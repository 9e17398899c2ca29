import { cloneJson, isJsonObject, setOwnMember, type JsonObject } from '../json-patch/json-value.js';

/**
 * RFC 7396 JSON Merge Patch. Returns a new value; neither argument is modified. Only own members are read,
 * members are written as own data properties (so "__proto__" or "constructor" are ordinary keys), and a
 * null in the patch deletes the member.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return cloneJson(patch);
  const result: JsonObject = isJsonObject(target) ? cloneJson(target) : {};
  return mergeInto(result, patch);
}

/** Applies `patch` to `result`, which is a fresh copy owned by the caller. */
function mergeInto(result: JsonObject, patch: JsonObject): JsonObject {
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === null) {
      delete result[key];
    } else if (isJsonObject(value)) {
      const existing = Object.hasOwn(result, key) ? result[key] : undefined;
      setOwnMember(result, key, mergeInto(isJsonObject(existing) ? existing : {}, value));
    } else {
      setOwnMember(result, key, cloneJson(value));
    }
  }
  return result;
}
