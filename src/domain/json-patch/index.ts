export { applyPatch } from './apply-patch.js';
export { JsonPatchError, type JsonPatchErrorKind } from './json-patch-error.js';
export {
  formatPointer,
  getByPointer,
  isArrayIndexToken,
  JsonPointerSyntaxError,
  lookupPointer,
  parsePointer,
  type PointerLookup,
} from './json-pointer.js';
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
export {
  evaluateTests,
  interpretRestrictedPatch,
  type PatchValueValidator,
  type RestrictedOpPolicy,
  type RestrictedPatch,
  type RestrictedPatchRules,
  type RestrictedPathRule,
} from './restricted-patch.js';
