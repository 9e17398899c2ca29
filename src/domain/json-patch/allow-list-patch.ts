import type { AllowedPath, PatchAllowList } from './allow-list.js';
import { formatPointer, isPointerPrefix, parsePointer } from './json-pointer.js';
import { cloneJson } from './json-value.js';
import { compilePatch, type TestOperation } from './patch-operation.js';
import { refusalError, type PatchRefusal } from './patch-refusal.js';
import { assertTest } from './patch-test.js';

/** A `test` operation to run against the resource as stored, with its position in the client's patch. */
export interface PatchTest extends TestOperation {
  readonly index: number;
}

export interface AllowListPatch {
  /** `test` ops in patch order, alias paths made canonical; run them with evaluateTests */
  readonly tests: readonly PatchTest[];
  /** canonical path → the parsed value (a copy), in the order first written; a path written twice keeps the last value */
  readonly changes: ReadonlyMap<string, unknown>;
}

interface IndexedPath {
  readonly allowed: AllowedPath;
  readonly tokens: readonly string[];
}

const indexCache = new WeakMap<PatchAllowList, Map<string, IndexedPath>>();

/**
 * Reads a JSON Patch request body against an endpoint's allow-list: add/replace of a listed path (with one of its
 * ops, and a value its parser accepts) become `changes`; `test` ops are kept for evaluateTests; anything else is
 * refused. Throws JsonPatchError: 'malformed' (not a patch document), 'not_allowed' or 'invalid_value', worded
 * as the allow-list says.
 *
 * Tests are judged against the resource as stored, so a test that follows a change of an overlapping path in the
 * same patch is refused: RFC 6902 would test the new value.
 */
export function readAllowListPatch(body: unknown, allowList: PatchAllowList): AllowListPatch {
  const index = indexAllowList(allowList);
  const tests: PatchTest[] = [];
  const changes = new Map<string, unknown>();
  const changed: (readonly string[])[] = [];
  const refuse = (refusal: PatchRefusal): never => {
    throw refusalError(refusal, allowList.refusals);
  };

  for (const { operation, index: position, pathTokens } of compilePatch(body)) {
    const matched = index.get(formatPointer(pathTokens));
    const { op, path } = operation;

    if (op === 'test') {
      const tokens = matched ? matched.tokens : pathTokens;
      const overlap = changed.find((other) => isPointerPrefix(other, tokens) || isPointerPrefix(tokens, other));
      if (overlap) refuse({ reason: 'test_after_change', index: position, path, changed: formatPointer(overlap) });
      tests.push({ op, path: matched ? matched.allowed.path : path, value: operation.value, index: position });
      continue;
    }
    if (op !== 'add' && op !== 'replace') {
      return refuse({ reason: 'op', index: position, op, path, allowed: matched?.allowed, listed: allowList.paths });
    }
    if (!matched) return refuse({ reason: 'path', index: position, path, listed: allowList.paths });
    if (!matched.allowed.ops.includes(op)) {
      refuse({ reason: 'op', index: position, op, path, allowed: matched.allowed, listed: allowList.paths });
    }
    const verdict = matched.allowed.parse ? matched.allowed.parse(operation.value) : { ok: true as const, value: operation.value };
    if (!verdict.ok) return refuse({ reason: 'value', index: position, path, value: operation.value, detail: verdict.reason });
    changes.set(matched.allowed.path, cloneJson(verdict.value));
    changed.push(matched.tokens);
  }
  return { tests, changes };
}

/**
 * Runs `test` ops against `document` (the resource as stored, in its API representation): own members only,
 * structural equality, a missing path fails. Throws JsonPatchError kind 'test_failed' naming the op's position
 * in the client's patch.
 */
export function evaluateTests(document: unknown, tests: readonly (TestOperation & { readonly index?: number })[]): void {
  tests.forEach((test, position) => {
    if (test.op !== 'test') throw new TypeError(`evaluateTests: expected only test operations, got ${JSON.stringify(String(test.op))}`);
    assertTest(document, test.path, parsePointer(test.path), test.value, test.index ?? position);
  });
}

function indexAllowList(allowList: PatchAllowList): Map<string, IndexedPath> {
  const cached = indexCache.get(allowList);
  if (cached) return cached;
  const index = new Map<string, IndexedPath>();
  for (const allowed of allowList.paths) {
    const entry: IndexedPath = { allowed, tokens: parsePointer(allowed.path) };
    for (const spelling of [allowed.path, ...(allowed.aliases ?? [])]) {
      const key = formatPointer(parsePointer(spelling));
      if (index.has(key)) throw new Error(`PatchAllowList: path ${JSON.stringify(spelling)} is listed twice`);
      index.set(key, entry);
    }
  }
  indexCache.set(allowList, index);
  return index;
}
