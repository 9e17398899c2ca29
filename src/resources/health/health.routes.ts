import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { AppContext } from '../../server/context.js';
import { baseUrl } from '../../server/links.js';

export async function healthRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get('/', { config: { public: true }, schema: { tags: ['health'], summary: 'API versions' } }, async (request, reply) => {
    const accept = String(request.headers.accept ?? '');
    if (accept.includes('text/html')) return reply.redirect('/console');
    const base = baseUrl(request, ctx.config.publicUrl);
    return { versions: [{ id: 'v2', status: 'CURRENT', links: [{ href: `${base}/v2/`, rel: 'self' }] }] };
  });

  app.get('/v2/:project_id/ping', { config: { public: true }, schema: { tags: ['health'], summary: 'Liveness for load balancers' } }, async (_request, reply) => reply.code(204).send());

  app.get('/ping', { config: { public: true }, schema: { tags: ['health'], summary: 'Liveness' } }, async (_request, reply) => reply.code(204).send());

  app.get('/ready', { config: { public: true }, schema: { tags: ['health'], summary: 'Readiness: the database answers' } }, async (_request, reply) => {
    await sql`SELECT 1`.execute(ctx.store.db);
    return reply.code(204).send();
  });
}
