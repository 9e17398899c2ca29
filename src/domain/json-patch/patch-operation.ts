import { JsonPatchError, quote } from './json-patch-error.js';
import { JsonPointerSyntaxError, parsePointer } from './json-pointer.js';
import { isJsonObject, nestingExceeds } from './json-value.js';

export type AddOperation = { readonly op: 'add'; readonly path: string; readonly value: unknown };
export type RemoveOperation = { readonly op: 'remove'; readonly path: string };
export type ReplaceOperation = { readonly op: 'replace'; readonly path: string; readonly value: unknown };
export type MoveOperation = { readonly op: 'move'; readonly from: string; readonly path: string };
export type CopyOperation = { readonly op: 'copy'; readonly from: string; readonly path: string };
export type TestOperation = { readonly op: 'test'; readonly path: string; readonly value: unknown };

export type PatchOperation = AddOperation | RemoveOperation | ReplaceOperation | MoveOperation | CopyOperation | TestOperation;

export type PatchOperationName = PatchOperation['op'];

export const PATCH_OPERATION_NAMES: readonly PatchOperationName[] = ['add', 'remove', 'replace', 'move', 'copy', 'test'];

/** Deeper values are refused: the applier copies and compares recursively. */
export const MAX_VALUE_NESTING = 1000;

const NEEDS_VALUE: ReadonlySet<string> = new Set(['add', 'replace', 'test']);
const NEEDS_FROM: ReadonlySet<string> = new Set(['move', 'copy']);

/** An operation whose pointers have been parsed; used by the applier. */
export interface CompiledOperation {
  readonly operation: PatchOperation;
  readonly index: number;
  readonly pathTokens: string[];
  readonly fromTokens: string[] | undefined;
}

/**
 * Checks that `body` is an RFC 6902 patch document and returns its operations, keeping only the members
 * each op uses (RFC 6902 §4: other members are ignored). Throws JsonPatchError kind 'malformed'.
 */
export function validatePatchDocument(body: unknown): PatchOperation[] {
  return compilePatch(body).map((compiled) => compiled.operation);
}

export function compilePatch(body: unknown): CompiledOperation[] {
  if (!Array.isArray(body)) {
    throw new JsonPatchError('malformed', 'The patch document must be a JSON array of operations');
  }
  return body.map((raw: unknown, index) => compileOperation(raw, index));
}

function compileOperation(raw: unknown, index: number): CompiledOperation {
  const fail = (message: string, path?: string): never => {
    throw new JsonPatchError('malformed', `Operation ${index}: ${message}`, index, path);
  };
  if (!isJsonObject(raw)) return fail('must be a JSON object');

  const op = Object.hasOwn(raw, 'op') ? raw.op : undefined;
  if (op === undefined) return fail('"op" is missing');
  if (typeof op !== 'string') return fail('"op" must be a string');
  if (!(PATCH_OPERATION_NAMES as readonly string[]).includes(op)) {
    return fail(`op ${quote(op)} is not one of ${PATCH_OPERATION_NAMES.join(', ')}`);
  }

  const path = readPointerMember(raw, 'path', fail);
  const pathTokens = parseMember('path', path, fail);

  let from: string | undefined;
  let fromTokens: string[] | undefined;
  if (NEEDS_FROM.has(op)) {
    from = readPointerMember(raw, 'from', fail, path);
    fromTokens = parseMember('from', from, fail);
  }

  if (NEEDS_VALUE.has(op) && (!Object.hasOwn(raw, 'value') || raw.value === undefined)) {
    return fail(`"value" is required for op ${quote(op)}`, path);
  }
  if (NEEDS_VALUE.has(op) && nestingExceeds(raw.value, MAX_VALUE_NESTING)) {
    return fail(`"value" nests arrays or objects more than ${MAX_VALUE_NESTING} levels deep`, path);
  }

  const operation = buildOperation(op as PatchOperationName, path, from, raw.value);
  return { operation, index, pathTokens, fromTokens };
}

function readPointerMember(raw: Record<string, unknown>, member: 'path' | 'from', fail: (message: string, path?: string) => never, path?: string): string {
  const value = Object.hasOwn(raw, member) ? raw[member] : undefined;
  if (value === undefined) return fail(`"${member}" is missing`, path);
  if (typeof value !== 'string') return fail(`"${member}" must be a string`, path);
  return value;
}

function parseMember(member: 'path' | 'from', pointer: string, fail: (message: string, path?: string) => never): string[] {
  try {
    return parsePointer(pointer);
  } catch (error) {
    if (error instanceof JsonPointerSyntaxError) return fail(`${member} ${quote(pointer)} is not a valid JSON Pointer`, pointer);
    throw error;
  }
}

function buildOperation(op: PatchOperationName, path: string, from: string | undefined, value: unknown): PatchOperation {
  switch (op) {
    case 'add':
    case 'replace':
    case 'test':
      return { op, path, value };
    case 'remove':
      return { op, path };
    case 'move':
    case 'copy':
      return { op, from: from as string, path };
  }
}
