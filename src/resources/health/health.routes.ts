import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../server/context.js';
import { baseUrl } from '../../server/links.js';
import { notFound } from '../../errors/app-error.js';
import { requireLevel } from '../../server/caller.js';
import { v2Scope } from '../../server/request-scope.js';
import { findDependentSystem, pingDatabase } from './dependent-systems.js';
import { checkHealth, checkSystem } from './health-check.js';

export async function healthRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get('/', { config: { public: true }, schema: { tags: ['health'], summary: 'API versions' } }, async (request, reply) => {
    const accept = String(request.headers.accept ?? '');
    if (accept.includes('text/html')) return reply.redirect('/console');
    const base = baseUrl(ctx);
    return { versions: [{ id: 'v2', status: 'CURRENT', links: [{ href: `${base}/v2/`, rel: 'self' }] }] };
  });

  app.get('/v2/:project_id/ping', { config: { public: true }, schema: { tags: ['health'], summary: 'Liveness for load balancers' } }, async (_request, reply) => reply.code(204).send());

  app.get('/ping', { config: { public: true }, schema: { tags: ['health'], summary: 'Liveness' } }, async (_request, reply) => reply.code(204).send());

  app.get('/ready', { config: { public: true }, schema: { tags: ['health'], summary: 'Readiness: the database answers' } }, async (_request, reply) => {
    await pingDatabase(ctx);
    return reply.code(204).send();
  });

  app.get('/v2/:project_id/health', { schema: { tags: ['health'], summary: 'Health of every dependent system (503 when one is down)' } }, async (request, reply) => {
    const scope = v2Scope(request, ctx);
    requireLevel(scope.caller, 'observer');
    const { healthy, body } = await checkHealth(ctx, scope.urls);
    return reply.code(healthy ? 200 : 503).send(body);
  });

  // `/health/sqlite` or `/health/storage/sqlite`, as the reference's own links spell it.
  for (const path of ['/v2/:project_id/health/:dependent_system', '/v2/:project_id/health/:group/:dependent_system']) {
    app.get(path, { schema: { tags: ['health'], summary: 'Whether one dependent system is online (503 when not)' } }, async (request, reply) => {
      const scope = v2Scope(request, ctx);
      const params = request.params as { group?: string; dependent_system: string };
      const spelling = params.group ? `${params.group}/${params.dependent_system}` : params.dependent_system;
      const system = findDependentSystem(ctx, spelling);
      if (!system) throw notFound(`Unknown dependent system "${spelling}".`);
      requireLevel(scope.caller, 'observer');
      const report = await checkSystem(ctx, system, scope.urls);
      return reply.code(report.online ? 200 : 503).send(report);
    });
  }
}
