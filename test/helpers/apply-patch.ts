import { JsonPatchError, quote } from '../../src/domain/json-patch/json-patch-error.js';
import { formatPointer, isArrayIndexToken, isPointerPrefix, lookupPointer } from '../../src/domain/json-patch/json-pointer.js';
import { compilePatch, type CompiledOperation, type PatchOperation } from '../../src/domain/json-patch/patch-operation.js';
import { assertTest, describeMissing, missingReason } from '../../src/domain/json-patch/patch-test.js';
import { cloneJson, isJsonObject, setOwnMember } from '../../src/domain/json-patch/json-value.js';

/**
 * A full RFC 6902 applier, for the conformance suites: the server's PATCH endpoints only take allow-listed
 * writes (domain/json-patch/allow-list-patch.ts), so the product has no use for it.
 *
 * Applies an RFC 6902 patch and returns the new document. The input is never modified: the patch runs on a
 * deep copy, so a failure part-way leaves nothing behind (all or nothing). Members are looked up as own
 * properties only, and written as own data properties, so prototype keys are plain member names.
 * Throws JsonPatchError ('malformed', 'unapplicable' or 'test_failed').
 */
export function applyPatch(document: unknown, operations: readonly PatchOperation[]): unknown {
  const compiled = compilePatch(operations);
  let result = cloneJson(document);
  for (const operation of compiled) result = applyCompiled(result, operation);
  return result;
}

function applyCompiled(document: unknown, compiled: CompiledOperation): unknown {
  const { operation, index, pathTokens } = compiled;
  switch (operation.op) {
    case 'add':
      return addValue(document, pathTokens, cloneJson(operation.value), compiled);
    case 'remove':
      return removeValue(document, pathTokens, compiled, 'path');
    case 'replace':
      return replaceValue(document, pathTokens, cloneJson(operation.value), compiled);
    case 'test':
      assertTest(document, operation.path, pathTokens, operation.value, index);
      return document;
    case 'copy': {
      const source = readExisting(document, compiled.fromTokens ?? [], compiled, 'from');
      return addValue(document, pathTokens, cloneJson(source), compiled);
    }
    case 'move': {
      const fromTokens = compiled.fromTokens ?? [];
      const source = readExisting(document, fromTokens, compiled, 'from');
      if (fromTokens.length === pathTokens.length && isPointerPrefix(fromTokens, pathTokens)) return document;
      if (isPointerPrefix(fromTokens, pathTokens)) {
        throw unapplicable(compiled, `cannot move ${quote(operation.from)} into its own child ${quote(operation.path)}`);
      }
      const withoutSource = removeValue(document, fromTokens, compiled, 'from');
      return addValue(withoutSource, pathTokens, source, compiled);
    }
  }
}

function addValue(document: unknown, tokens: readonly string[], value: unknown, compiled: CompiledOperation): unknown {
  const last = tokens.at(-1);
  if (last === undefined) return value;
  const parent = readParent(document, tokens, compiled);
  if (Array.isArray(parent)) {
    if (last === '-') {
      parent.push(value);
    } else {
      const index = insertionIndex(parent, last, tokens, compiled);
      parent.splice(index, 0, value);
    }
  } else if (isJsonObject(parent)) {
    setOwnMember(parent, last, value);
  } else {
    throw unapplicable(compiled, `the parent of path ${quote(formatPointer(tokens))} is not an object or array`);
  }
  return document;
}

function removeValue(document: unknown, tokens: readonly string[], compiled: CompiledOperation, member: 'path' | 'from'): unknown {
  const last = tokens.at(-1);
  if (last === undefined) throw unapplicable(compiled, `cannot remove the whole document (${member} "")`);
  readExisting(document, tokens, compiled, member);
  const parent = readParent(document, tokens, compiled, member);
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete (parent as Record<string, unknown>)[last];
  return document;
}

function replaceValue(document: unknown, tokens: readonly string[], value: unknown, compiled: CompiledOperation): unknown {
  const last = tokens.at(-1);
  if (last === undefined) return value;
  readExisting(document, tokens, compiled, 'path');
  const parent = readParent(document, tokens, compiled);
  if (Array.isArray(parent)) parent[Number(last)] = value;
  else setOwnMember(parent as Record<string, unknown>, last, value);
  return document;
}

/** Insertion index for add: a valid index token no greater than the array length. */
function insertionIndex(array: unknown[], token: string, tokens: readonly string[], compiled: CompiledOperation): number {
  const pointer = formatPointer(tokens);
  if (!isArrayIndexToken(token)) throw unapplicable(compiled, `${quote(token)} is not a valid array index in path ${quote(pointer)}`);
  const index = Number(token);
  if (index > array.length) {
    throw unapplicable(compiled, `array index ${token} is out of bounds in path ${quote(pointer)} (array length ${array.length})`);
  }
  return index;
}

function readParent(document: unknown, tokens: readonly string[], compiled: CompiledOperation, member: 'path' | 'from' = 'path'): unknown {
  const parentTokens = tokens.slice(0, -1);
  const parent = lookupPointer(document, parentTokens);
  if (!parent.found) {
    const reason = missingReason(parent, parentTokens);
    throw unapplicable(compiled, `the parent of ${member} ${quote(formatPointer(tokens))} does not exist: ${reason}`);
  }
  return parent.value;
}

function readExisting(document: unknown, tokens: readonly string[], compiled: CompiledOperation, member: 'path' | 'from'): unknown {
  const target = lookupPointer(document, tokens);
  if (!target.found) throw unapplicable(compiled, describeMissing(target, tokens, member, formatPointer(tokens)));
  return target.value;
}

function unapplicable(compiled: CompiledOperation, detail: string): JsonPatchError {
  return new JsonPatchError('unapplicable', `Operation ${compiled.index}: ${detail}`, compiled.index, compiled.operation.path);
}
