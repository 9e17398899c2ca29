import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.js';
import { v2ErrorBody } from '../errors/v2-error-body.js';
import { v3ErrorBody, v3ErrorStatus } from '../errors/v3-error-body.js';
import { TransitionError } from '../domain/state-machines/state-machine.js';
import type { Store } from '../store/store.js';
import { StorageUnavailableError } from '../storage/blob-store.js';

export type Dialect = 'v2' | 'v3';

export function dialectOf(url: string): Dialect {
  return url.startsWith('/v3') ? 'v3' : 'v2';
}

/** Maps anything thrown while serving a request onto the one error catalogue. */
export function toAppError(error: unknown, store: Store): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof TransitionError) return new AppError(error.reason === 'actor' ? 'forbidden' : 'conflict', error.message);
  const fastifyError = error as FastifyError & { kind?: string };
  if (typeof fastifyError?.name === 'string' && fastifyError.name === 'JsonPatchError') {
    return new AppError(fastifyError.kind === 'test_failed' ? 'conflict' : 'bad_request', fastifyError.message);
  }
  switch (fastifyError?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', 'The request body is larger than the 1 MB limit.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type', `Unsupported Content-Type "${fastifyError.message.replace(/^.*: /, '')}"; send application/json.`);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('bad_request', 'The request body is empty; a JSON document is required.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('bad_request', 'The request body is not valid JSON.');
    case 'FST_ERR_VALIDATION':
      return new AppError('bad_request', 'Validation failed.', { details: validationMessages(fastifyError) });
  }
  // Only errors fastify raised while reading the request carry a statusCode; a SyntaxError from our own code is a 500.
  if (fastifyError instanceof SyntaxError && fastifyError.statusCode === 400) {
    return new AppError('bad_request', 'The request body is not valid JSON.');
  }
  if (error instanceof StorageUnavailableError) {
    return new AppError('service_unavailable', 'The vault and log file storage is unreachable; try again shortly.', { headers: { 'retry-after': '5' } });
  }
  if (store.isUnavailableError(error)) {
    return new AppError('service_unavailable', 'The database is unavailable; try again shortly.', { headers: { 'retry-after': '5' } });
  }
  if (fastifyError?.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new AppError('bad_request', fastifyError.message);
  }
  return new AppError('internal', 'An unexpected error occurred.');
}

function validationMessages(error: FastifyError): string[] {
  const items = error.validation ?? [];
  if (items.length === 0) return [error.message];
  return items.map((item) => {
    const where = `${error.validationContext ?? 'body'}${item.instancePath ? item.instancePath.replace(/\//g, '.') : ''}`;
    const missing = (item.params as { missingProperty?: string })?.missingProperty;
    return missing ? `${where}.${missing} is required.` : `${where} ${item.message ?? 'is invalid'}.`;
  });
}

export function sendError(request: FastifyRequest, reply: FastifyReply, appError: AppError): FastifyReply {
  for (const [name, value] of Object.entries(appError.headers)) reply.header(name, value);
  if (dialectOf(request.url) === 'v3') {
    if (appError.kind === 'service_unavailable') reply.header('retry-after', appError.headers['retry-after'] ?? '5');
    return reply.code(v3ErrorStatus(appError)).type('application/json').send(v3ErrorBody(appError));
  }
  return reply.code(appError.status).type('application/json').send(v2ErrorBody(appError));
}

export function installErrorHandler(app: FastifyInstance, store: Store): void {
  app.setErrorHandler((error, request, reply) => {
    const appError = toAppError(error, store);
    if (appError.kind === 'internal') request.log.error({ err: error }, 'request failed');
    else if (appError.kind === 'service_unavailable') request.log.warn({ err: error }, 'database unavailable');
    return sendError(request, reply, appError);
  });
}
