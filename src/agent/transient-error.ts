import { ApiError } from './api-error.js';
import { VaultHttpError } from './vault-http-backend.js';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Whether an error says "the server or the network was away" rather than "this cannot work": a server error or
 * throttling answer, or a connection that failed. Its cause chain is followed (fetch wraps the socket error).
 */
export function isTransientFailure(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; current && depth < 6; depth++) {
    if (current instanceof ApiError || current instanceof VaultHttpError) return current.status >= 500 || current.status === 408 || current.status === 429;
    const { code, message } = current as { code?: string; message?: string };
    if (code && NETWORK_CODES.has(code)) return true;
    if (current instanceof TypeError && message === 'fetch failed') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
