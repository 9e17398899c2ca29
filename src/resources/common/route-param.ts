import type { FastifyRequest } from 'fastify';

/** A path parameter of the matched route; the route's own pattern puts it there, so a missing one is a wiring bug. */
export function routeParam(request: FastifyRequest, name: string): string {
  const value = (request.params as Record<string, string | undefined>)[name];
  if (value === undefined) throw new Error(`the route ${request.routeOptions.url ?? request.url} has no :${name} parameter`);
  return value;
}
