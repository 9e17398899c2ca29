export { JsonPatchError, type JsonPatchErrorKind } from './json-patch-error.js';
export { formatPointer, getByPointer, isArrayIndexToken, JsonPointerSyntaxError, lookupPointer, parsePointer, type PointerLookup } from './json-pointer.js';
export { cloneJson, isJsonObject, jsonEqual, nestingExceeds, setOwnMember, type JsonValue } from './json-value.js';
export {
  MAX_VALUE_NESTING,
  PATCH_OPERATION_NAMES,
  validatePatchDocument,
  type AddOperation,
  type CopyOperation,
  type MoveOperation,
  type PatchOperation,
  type PatchOperationName,
  type RemoveOperation,
  type ReplaceOperation,
  type TestOperation,
} from './patch-operation.js';
export { accept, ADD_OR_REPLACE, refuse, REPLACE_ONLY, valueMust, type AllowedPath, type PatchAllowList, type ValueParser, type ValueVerdict, type WriteOp } from './allow-list.js';
export { evaluateTests, readAllowListPatch, type AllowListPatch, type PatchTest } from './allow-list-patch.js';
export { type PatchRefusal, type PatchRefusalWording } from './patch-refusal.js';
