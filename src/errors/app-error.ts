/**
 * The one error catalogue. Every failure a request can meet is an AppError of one of these kinds; the two API
 * dialects turn it into their own documented body (see v2-error-body.ts and v3-error-body.ts).
 */
export type ErrorKind =
  | 'bad_request'
  | 'unauthenticated'
  | 'invalid_token'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'unprocessable'
  | 'too_many_requests'
  | 'insufficient_storage'
  | 'service_unavailable'
  | 'internal';

export const STATUS_BY_KIND: Record<ErrorKind, number> = {
  bad_request: 400,
  unauthenticated: 401,
  invalid_token: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  too_many_requests: 429,
  insufficient_storage: 507,
  service_unavailable: 503,
  internal: 500,
};

export interface AppErrorOptions {
  /** Individual validation messages (v2 `errors`, v3 one entry each). */
  details?: string[];
  /** A v3 catalogue entry that differs from the kind's default (e.g. CF-LabelLimitExceeded). */
  v3?: { code: number; title: string; status?: number };
  headers?: Record<string, string>;
}

export class AppError extends Error {
  readonly kind: ErrorKind;
  readonly details: string[];
  readonly v3: AppErrorOptions['v3'];
  readonly headers: Record<string, string>;

  constructor(kind: ErrorKind, message: string, options: AppErrorOptions = {}) {
    super(message);
    this.name = 'AppError';
    this.kind = kind;
    this.details = options.details ?? [];
    this.v3 = options.v3;
    this.headers = options.headers ?? {};
  }

  get status(): number {
    return this.v3?.status ?? STATUS_BY_KIND[this.kind];
  }
}

export const badRequest = (message: string, details?: string[]) => new AppError('bad_request', message, { details });
export const forbidden = (message = 'You are not authorized to perform this action.') => new AppError('forbidden', message);
export const notFound = (message: string) => new AppError('not_found', message);
export const conflict = (message: string) => new AppError('conflict', message);
export const unauthenticated = (message = 'Authentication required.') => new AppError('unauthenticated', message);
/** Too many attempts: the client may try again after `retryAfterSeconds`. */
export const tooManyRequests = (message: string, retryAfterSeconds: number) =>
  new AppError('too_many_requests', message, { headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) } });
export const invalidToken = (message = 'The token is missing, unknown or expired.') => new AppError('invalid_token', message);
