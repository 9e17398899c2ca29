/** A JSON document as produced by JSON.parse. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Stores `value` under `key` as an own data property. Plain assignment would run the inherited
 * `__proto__` setter and change the object's prototype instead of storing a member.
 */
export function setOwnMember(target: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Deep copy of a JSON value that reads own enumerable members only and writes them as own data properties. */
export function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => cloneJson(item)) as T;
  if (isJsonObject(value)) {
    const copy: JsonObject = {};
    for (const key of Object.keys(value)) setOwnMember(copy, key, cloneJson(value[key]));
    return copy as T;
  }
  return value;
}

/**
 * JSON equality as RFC 6902 §4.6 defines it for `test`: same type, arrays element by element,
 * objects by their own member sets (order ignored). `true` is not `1`, and `null` is a value.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, index) => jsonEqual(item, b[index]));
  }
  if (isJsonObject(a)) {
    if (!isJsonObject(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]));
  }
  return false;
}

/** True when arrays/objects nest deeper than `limit` levels (checked without recursion). */
export function nestingExceeds(value: unknown, limit: number): boolean {
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (pending.length > 0) {
    const { value: current, depth } = pending.pop() as { value: unknown; depth: number };
    const children = Array.isArray(current) ? current : isJsonObject(current) ? Object.values(current) : undefined;
    if (!children) continue;
    if (depth + 1 > limit) return true;
    for (const child of children) pending.push({ value: child, depth: depth + 1 });
  }
  return false;
}
