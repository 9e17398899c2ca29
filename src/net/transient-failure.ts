import { ApiError } from './api-error.js';
import { isFinalStatus } from './retry.js';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Whether an error says "the server or the network was away" rather than "this cannot work": a server error or
 * throttling answer, no answer at all, or a connection that failed. Its cause chain is followed (fetch wraps the
 * socket error).
 */
export function isTransientFailure(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; current && depth < 6; depth++) {
    if (current instanceof ApiError) return current.status === 0 || !isFinalStatus(current.status);
    const { code, message } = current as { code?: string; message?: string };
    if (code && NETWORK_CODES.has(code)) return true;
    if (current instanceof TypeError && message === 'fetch failed') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
