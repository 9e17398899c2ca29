import fs from 'node:fs';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import FindMyWay from 'find-my-way';
import { unknownRequest } from '../errors/v3-catalogue.js';
import { AppError } from '../errors/app-error.js';
import { Authenticator } from './auth.js';
import type { AppContext } from './context.js';
import { installErrorHandler, sendError, toAppError } from './error-handler.js';
import { registerRoutes } from './routes.js';
import { PROJECT_FROM_TOKEN } from './request-scope.js';
import { httpServerOptions } from './connection-limits.js';

export const BODY_LIMIT_BYTES = 1024 * 1024;
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const V2_COLLECTIONS = new Set(['activities', 'agents', 'backups', 'cleanups', 'configurations', 'events', 'restores', 'settings', 'health', 'ping', 'webhooks', 'deliveries']);

/**
 * `/v2/agents` (project from X-Project-Id or the token) → `/v2/_/agents`; a `.json` suffix is dropped, as the
 * Cloud Backup docs allow.
 */
export function rewriteV2Url(url: string, headers: Record<string, unknown>): string {
  const [rawPath, query] = splitQuery(url);
  let path = rawPath.replace(/\/{2,}/g, '/');
  if (path.startsWith('/v2/')) path = path.replace(/\.json(?=\/?$)/, '');
  const [, collection, rest] = /^\/v2\/([^/]+)(\/.*)?$/.exec(path) ?? [];
  if (collection !== undefined && V2_COLLECTIONS.has(collection)) {
    const header = typeof headers['x-project-id'] === 'string' ? (headers['x-project-id'] as string) : PROJECT_FROM_TOKEN;
    path = `/v2/${encodeURIComponent(header)}/${collection}${rest ?? ''}`;
  }
  return query === undefined ? path : `${path}?${query}`;
}

function splitQuery(url: string): [string, string | undefined] {
  const at = url.indexOf('?');
  return at < 0 ? [url, undefined] : [url.slice(0, at), url.slice(at + 1)];
}

export async function buildApp(ctx: AppContext): Promise<FastifyInstance> {
  // The app is typed as a plain FastifyInstance; schemas feed OpenAPI and responses come from presenters.
  const app = Fastify({
    loggerInstance: ctx.log,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, maxParamLength: 500 },
    rewriteUrl: (req) => rewriteV2Url(req.url ?? '/', req.headers),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true } },
    return503OnClosing: true,
    // Header, request and keep-alive timeouts against slow clients (see connection-limits.ts); Fastify sets the last two itself.
    http: httpServerOptions(ctx.config),
    requestTimeout: ctx.config.requestTimeoutSeconds * 1000,
    keepAliveTimeout: ctx.config.keepAliveTimeoutSeconds * 1000,
    ...(ctx.config.tlsCertFile && ctx.config.tlsKeyFile ? { https: { ...httpServerOptions(ctx.config), ...readTlsKeyPair(ctx.config.tlsCertFile, ctx.config.tlsKeyFile) } } : {}),
    // Only the client address (login throttle) comes from X-Forwarded-For, and only through these proxies.
    trustProxy: ctx.config.trustedProxies.length > 0 ? ctx.config.trustedProxies : false,
    // On close, idle keep-alive connections go at once; requests in flight finish (see RunningServer.close).
    forceCloseConnections: 'idle',
  }) as unknown as FastifyInstance;

  installBodyParsers(app);
  installErrorHandler(app, ctx.store);
  // Responses are shaped by presenters; serialising with the schemas would silently drop undocumented fields.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  const authenticator = new Authenticator(ctx.store, ctx.config.adminToken, ctx.sightings);
  app.decorateRequest('caller', null);
  app.addHook('onRequest', async (request) => {
    const route = request.routeOptions.url;
    if (!route || request.routeOptions.config?.public || route.startsWith('/docs')) return;
    request.caller = await authenticator.authenticate(request);
  });

  const shadowRouter = FindMyWay({ ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, maxParamLength: 500 });
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD' || shadowRouter.hasRoute(method as 'GET', route.url)) continue;
      shadowRouter.on(method as 'GET', route.url, () => undefined);
    }
  });
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0]!;
    const allowed = METHODS.filter((m) => m !== request.method && shadowRouter.find(m, path));
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      return sendError(request, reply, new AppError('method_not_allowed', `The ${request.method} method is not allowed on ${path}.`));
    }
    const notFound = path.startsWith('/v3') ? unknownRequest() : new AppError('not_found', `No resource at ${path}.`);
    return sendError(request, reply, notFound);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Coffer',
        version: '2',
        description: 'Rackspace Cloud Backup API v2 (`/v2/{project_id}`) and Cloud Foundry V3-style Tasks (`/v3`).',
      },
      components: {
        securitySchemes: {
          authToken: { type: 'apiKey', in: 'header', name: 'X-Auth-Token' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ authToken: [] }, { bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } });
  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  await registerRoutes(app, ctx);
  return app;
}

/** The certificate (chain) and key the server serves HTTPS with, read once at start. */
function readTlsKeyPair(certFile: string, keyFile: string): { cert: Buffer; key: Buffer } {
  const read = (file: string, what: string) => {
    try {
      return fs.readFileSync(file);
    } catch (error) {
      throw new Error(`cannot read the TLS ${what} ${file}: ${(error as Error).message}`, { cause: error });
    }
  };
  return { cert: read(certFile, 'certificate (COFFER_TLS_CERT)'), key: read(keyFile, 'key (COFFER_TLS_KEY)') };
}

/** JSON for `application/json` and `application/json-patch+json`; an empty body is no body, as old clients send. */
function installBodyParsers(app: FastifyInstance): void {
  const strictJson = app.getDefaultJsonParser('error', 'error');
  const parse = (request: FastifyRequest, body: string, done: (err: Error | null, value?: unknown) => void) => {
    if (body.trim() === '') return done(null, undefined);
    strictJson(request, body, done);
  };
  app.removeContentTypeParser(['application/json']);
  app.addContentTypeParser(['application/json', 'application/json-patch+json', 'application/merge-patch+json'], { parseAs: 'string' }, parse);
  // Clients that omit the content type (or send text/plain) still mean JSON.
  app.addContentTypeParser('*', { parseAs: 'string' }, parse);
}

export { toAppError };
