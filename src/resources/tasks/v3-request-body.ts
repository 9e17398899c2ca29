import type { FastifyRequest } from 'fastify';
import { messageParseError } from '../../errors/v3-catalogue.js';

/**
 * The tasks routes take their bodies as raw text and parse them here, so the order of checks is Cloud Controller's
 * (token, scope, then parse) rather than the framework's (parse before the handler). An empty body is no body.
 */
export function parseJsonBody(request: FastifyRequest): unknown {
  const raw = request.body;
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string') return raw;
  if (raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw messageParseError();
  }
}

export function isJsonPatchRequest(request: FastifyRequest): boolean {
  const type = request.headers['content-type'];
  return typeof type === 'string' && type.split(';')[0]!.trim().toLowerCase() === 'application/json-patch+json';
}

/** Body keys outside `allowed`, in Cloud Controller's wording: Unknown field(s): 'a', 'b'. */
export function unknownFieldsError(body: Record<string, unknown>, allowed: readonly string[]): string | undefined {
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
  return unknown.length > 0 ? `Unknown field(s): ${unknown.map((key) => `'${key}'`).join(', ')}` : undefined;
}
