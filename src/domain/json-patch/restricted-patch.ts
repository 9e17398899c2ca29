import { assertTest } from './apply-patch.js';
import { JsonPatchError, quote } from './json-patch-error.js';
import { formatPointer, isPointerPrefix, parsePointer } from './json-pointer.js';
import { compilePatch, type PatchOperation, type TestOperation } from './patch-operation.js';
import { cloneJson } from './json-value.js';

/** `add-or-replace`: the two ops mean the same ("interpreted identically"); `replace`: only replace. */
export type RestrictedOpPolicy = 'add-or-replace' | 'replace';

/** Returns true when the value is acceptable, otherwise a short reason (e.g. `must be a boolean`). */
export type PatchValueValidator = (value: unknown) => true | string;

export interface RestrictedPathRule {
  readonly ops: RestrictedOpPolicy;
  /** other spellings of the same path that clients send, as JSON Pointers (e.g. "/log-level") */
  readonly aliases?: readonly string[];
  readonly validate?: PatchValueValidator;
}

/** Canonical JSON Pointer (e.g. "/retention/days") → rule. Only whole values at these paths may change. */
export type RestrictedPatchRules = Readonly<Record<string, RestrictedPathRule>>;

export interface RestrictedPatch {
  /** `test` ops in patch order, with alias paths rewritten to canonical ones; run them with evaluateTests */
  readonly tests: TestOperation[];
  /** canonical path → new value (a copy), in the order first written; a path written twice keeps the last value */
  readonly changes: Map<string, unknown>;
}

interface IndexedRule {
  readonly canonical: string;
  readonly canonicalTokens: readonly string[];
  readonly rule: RestrictedPathRule;
}

const ruleIndexCache = new WeakMap<RestrictedPatchRules, Map<string, IndexedRule>>();
/** Position of each returned test in the client's patch, so evaluateTests can name it. */
const testPositions = new WeakMap<TestOperation, number>();

/**
 * Reads a patch for an endpoint that only lets clients set listed paths. add/replace become entries of
 * `changes` (after the op policy and the value validator); `test` ops are returned for evaluateTests;
 * remove/move/copy and unlisted paths are refused. Throws JsonPatchError: 'malformed' (bad document),
 * 'not_allowed' (op or path outside the rules) or 'invalid_value' (validator said no).
 *
 * Tests are meant to be checked against the resource as stored, so a test that follows a change of an
 * overlapping path in the same patch is refused ('not_allowed'): RFC 6902 would test the new value.
 */
export function interpretRestrictedPatch(operations: readonly PatchOperation[], rules: RestrictedPatchRules): RestrictedPatch {
  const index = indexRules(rules);
  const tests: TestOperation[] = [];
  const changes = new Map<string, unknown>();
  const changedTokens: (readonly string[])[] = [];

  for (const { operation, index: position, pathTokens } of compilePatch(operations)) {
    const fail = (kind: 'not_allowed' | 'invalid_value', message: string): never => {
      throw new JsonPatchError(kind, `Operation ${position}: ${message}`, position, operation.path);
    };
    const normalizedPath = formatPointer(pathTokens);
    const matched = index.get(normalizedPath);

    if (operation.op === 'test') {
      const testTokens = matched ? matched.canonicalTokens : pathTokens;
      const overlapping = changedTokens.find((tokens) => isPointerPrefix(tokens, testTokens) || isPointerPrefix(testTokens, tokens));
      if (overlapping) {
        fail('not_allowed', `a test of path ${quote(operation.path)} cannot follow a change to ${quote(formatPointer(overlapping))} in the same patch; put tests first`);
      }
      const test: TestOperation = { op: 'test', path: matched ? matched.canonical : operation.path, value: operation.value };
      testPositions.set(test, position);
      tests.push(test);
      continue;
    }
    if (operation.op !== 'add' && operation.op !== 'replace') {
      fail('not_allowed', `op ${quote(operation.op)} is not allowed (path ${quote(operation.path)})`);
    }
    if (!matched) {
      return fail('not_allowed', `path ${quote(operation.path)} cannot be changed`);
    }
    if (operation.op === 'add' && matched.rule.ops === 'replace') {
      fail('not_allowed', `op "add" is not allowed for path ${quote(operation.path)}; use "replace"`);
    }
    const value = (operation as { value: unknown }).value;
    const verdict = matched.rule.validate ? matched.rule.validate(value) : true;
    if (verdict !== true) {
      fail('invalid_value', `value ${previewValue(value)} is not valid for path ${quote(operation.path)}: ${verdict}`);
    }
    changes.set(matched.canonical, cloneJson(value));
    changedTokens.push(matched.canonicalTokens);
  }
  return { tests, changes };
}

/**
 * Runs `test` ops against `document` (typically the resource as stored, in its API representation) with
 * applyPatch's semantics: own members only, structural equality, missing path = failed test.
 * Throws JsonPatchError kind 'test_failed' naming the op's position in the client's patch.
 */
export function evaluateTests(document: unknown, tests: readonly TestOperation[]): void {
  tests.forEach((test, position) => {
    if (test.op !== 'test') throw new TypeError(`evaluateTests: expected only test operations, got ${quote(String(test.op))}`);
    assertTest(document, test.path, parsePointer(test.path), test.value, testPositions.get(test) ?? position);
  });
}

function indexRules(rules: RestrictedPatchRules): Map<string, IndexedRule> {
  const cached = ruleIndexCache.get(rules);
  if (cached) return cached;
  const index = new Map<string, IndexedRule>();
  for (const [canonical, rule] of Object.entries(rules)) {
    const canonicalTokens = parsePointer(canonical);
    const entry: IndexedRule = { canonical: formatPointer(canonicalTokens), canonicalTokens, rule };
    for (const spelling of [canonical, ...(rule.aliases ?? [])]) {
      const key = formatPointer(parsePointer(spelling));
      if (index.has(key)) throw new Error(`RestrictedPatchRules: path ${quote(spelling)} is listed twice`);
      index.set(key, entry);
    }
  }
  ruleIndexCache.set(rules, index);
  return index;
}

function previewValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
