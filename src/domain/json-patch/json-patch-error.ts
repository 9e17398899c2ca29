/**
 * Why a patch was refused. Suggested HTTP mapping (RFC 5789 §2.2):
 * - `malformed`: the patch document itself is invalid (shape, op name, pointer syntax) → 400
 * - `unapplicable`: a valid operation cannot be applied to this document (missing target, bad index) → 409 or 422
 * - `test_failed`: a `test` operation did not hold → 409
 * - `not_allowed`: readAllowListPatch only: op or path outside the endpoint's allow-list → 400 (or 403 where documented)
 * - `invalid_value`: readAllowListPatch only: the value failed the path's validator → 400
 */
export type JsonPatchErrorKind = 'malformed' | 'unapplicable' | 'test_failed' | 'not_allowed' | 'invalid_value';

export class JsonPatchError extends Error {
  override readonly name = 'JsonPatchError';
  constructor(
    readonly kind: JsonPatchErrorKind,
    message: string,
    /** 0-based position of the offending operation in the patch, when there is one */
    readonly operationIndex?: number,
    /** the `path` (or `from`) of the offending operation, as sent */
    readonly path?: string,
  ) {
    super(message);
  }
}

export function quote(text: string): string {
  return JSON.stringify(text);
}
