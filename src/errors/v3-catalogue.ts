import { AppError, forbidden, notFound } from './app-error.js';
import { MetadataLimitExceededError } from '../domain/metadata/index.js';
import { JsonPatchError } from '../domain/json-patch/index.js';

/**
 * Cloud Controller's V3 catalogue entries the V3 endpoints raise (docs/reference/cf-v3-tasks.md §5.2), each an
 * AppError carrying its V3 code and title; the one HTTP mapper (server/error-handler.ts) renders them.
 */

/** 404 CF-NotFound (10000) "Unknown request": a path no V3 route serves. */
export function unknownRequest(): AppError {
  return new AppError('not_found', 'Unknown request', { v3: { code: 10000, title: 'CF-NotFound', status: 404 } });
}

/** 400 CF-BadQueryParameter (10005): every query problem in one detail. */
export function badQueryParameter(messages: readonly string[]): AppError {
  return new AppError('bad_request', `The query parameter is invalid: ${messages.join(', ')}`, {
    v3: { code: 10005, title: 'CF-BadQueryParameter', status: 400 },
  });
}

/** 400 CF-MessageParseError (1001): the body is not JSON. */
export function messageParseError(): AppError {
  return new AppError('bad_request', 'Request invalid due to parse error: invalid request body', {
    v3: { code: 1001, title: 'CF-MessageParseError', status: 400 },
  });
}

/** 422 CF-UnprocessableEntity (10008): body validation, invalid cancel, droplet and model errors. */
export function unprocessable(messages: readonly string[] | string): AppError {
  const detail = typeof messages === 'string' ? messages : messages.join(', ');
  return new AppError('unprocessable', detail, { v3: { code: 10008, title: 'CF-UnprocessableEntity', status: 422 } });
}

/** 404 CF-ResourceNotFound (10010), e.g. "Task not found". */
export function resourceNotFound(resource: 'Task' | 'Agent' | 'Droplet'): AppError {
  return notFound(`${resource} not found`);
}

/** 403 CF-NotAuthorized (10003). */
export function notAuthorized(): AppError {
  return forbidden();
}

/** 422 CF-LabelLimitExceeded (390020) / CF-AnnotationLimitExceeded (390023). */
export function metadataLimitError(error: MetadataLimitExceededError): AppError {
  return new AppError('unprocessable', error.detail, { v3: { code: error.code, title: `CF-${error.errorName}`, status: 422 } });
}

/** A failed RFC 6902 `test` is 409 (the project's rule for every JSON Patch endpoint); anything else malformed is 422. */
export function jsonPatchError(error: JsonPatchError): AppError {
  if (error.kind === 'test_failed') return new AppError('conflict', error.message, { v3: { code: 10008, title: 'CF-UnprocessableEntity', status: 409 } });
  return unprocessable(error.message);
}

/**
 * 422: the agent does not take tasks. Only its owner can change that, on the host; the server merely knows what the
 * agent said when it last logged in.
 */
export function tasksDisabled(agentId: string): AppError {
  return unprocessable(
    `Agent ${agentId} does not accept tasks: they are off until the agent's owner enables them on the host ` +
      '(coffer agent register --allow-tasks, or "tasks": {"enabled": true} in the agent configuration file) and the agent logs in again',
  );
}
