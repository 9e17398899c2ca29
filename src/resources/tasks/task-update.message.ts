import { isJsonObject } from '../../domain/json-patch/index.js';
import { validateMetadataRequest } from '../../domain/metadata/index.js';
import { messageParseError, unprocessable } from '../../errors/v3-catalogue.js';
import { unknownFieldsError } from './v3-request-body.js';

/** TaskUpdateMessage: only `metadata`; an empty body (or `{}`) changes nothing. */
export function parseTaskUpdate(body: unknown): { metadata: unknown } {
  if (body === undefined) return { metadata: undefined };
  if (!isJsonObject(body)) throw messageParseError();
  const errors: string[] = [];
  const unknown = unknownFieldsError(body, ['metadata']);
  if (unknown) errors.push(unknown);
  errors.push(...validateMetadataRequest(body.metadata));
  if (errors.length > 0) throw unprocessable(errors);
  return { metadata: body.metadata };
}
