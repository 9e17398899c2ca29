import type { AppError, ErrorKind } from './app-error.js';

interface V3Entry {
  code: number;
  title: string;
  status: number;
  /** Fixed text of the catalogue entry; when absent the error's own message is the detail. */
  detail?: string;
}

/** Cloud Controller's catalogue entries for each error kind (docs/reference/cf-v3-tasks.md §5.2). */
const V3_BY_KIND: Record<ErrorKind, V3Entry> = {
  bad_request: { code: 1001, title: 'CF-MessageParseError', status: 400 },
  unauthenticated: { code: 10002, title: 'CF-NotAuthenticated', status: 401, detail: 'Authentication error' },
  invalid_token: { code: 1000, title: 'CF-InvalidAuthToken', status: 401, detail: 'Invalid Auth Token' },
  forbidden: { code: 10003, title: 'CF-NotAuthorized', status: 403, detail: 'You are not authorized to perform the requested action' },
  not_found: { code: 10010, title: 'CF-ResourceNotFound', status: 404 },
  method_not_allowed: { code: 10000, title: 'CF-NotFound', status: 404, detail: 'Unknown request' },
  conflict: { code: 10008, title: 'CF-UnprocessableEntity', status: 422 },
  payload_too_large: { code: 10004, title: 'CF-InvalidRequest', status: 413 },
  unsupported_media_type: { code: 10004, title: 'CF-InvalidRequest', status: 415 },
  unprocessable: { code: 10008, title: 'CF-UnprocessableEntity', status: 422 },
  too_many_requests: { code: 10013, title: 'CF-RateLimitExceeded', status: 429 },
  insufficient_storage: { code: 10004, title: 'CF-InvalidRequest', status: 507 },
  service_unavailable: { code: 10015, title: 'CF-ServiceUnavailable', status: 503 },
  internal: { code: 10001, title: 'UnknownError', status: 500, detail: 'An unknown error occurred.' },
};

export interface V3ErrorBody {
  errors: { detail: string; title: string; code: number }[];
}

export function v3ErrorStatus(error: AppError): number {
  return error.v3?.status ?? V3_BY_KIND[error.kind].status;
}

/** The V3 envelope; validation messages are joined into one detail, as Cloud Controller does. */
export function v3ErrorBody(error: AppError): V3ErrorBody {
  const entry = V3_BY_KIND[error.kind];
  const code = error.v3?.code ?? entry.code;
  const title = error.v3?.title ?? entry.title;
  const detail = error.v3 ? error.message : (entry.detail ?? (error.details.length > 0 ? error.details.join(', ') : error.message));
  return { errors: [{ detail, title, code }] };
}
