import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppContext } from '../../server/context.js';
import { findWebRoot } from './web-root.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

// Everything comes from this server: no CDN, no inline script, nothing framed.
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

async function sendFile(reply: FastifyReply, root: string, relative: string): Promise<FastifyReply> {
  const file = path.resolve(root, relative);
  const type = CONTENT_TYPES[path.extname(file).toLowerCase()];
  if (!file.startsWith(root + path.sep) || !type) return reply.code(404).type('text/plain').send('Not found');
  let data: Buffer;
  try {
    data = await fs.readFile(file);
  } catch {
    return reply.code(404).type('text/plain').send('Not found');
  }
  return reply
    .headers({ ...SECURITY_HEADERS, 'cache-control': 'no-cache' })
    .type(type)
    .send(data);
}

/** The web console at /console: a single page (hash routes) and its assets, all public files; the API checks tokens. */
export async function consoleRoutes(app: FastifyInstance, _ctx: AppContext): Promise<void> {
  const found = findWebRoot();
  const root = found ? path.resolve(found) : undefined;
  const options = { config: { public: true }, schema: { hide: true } };
  app.get('/console', options, async (_request, reply) => {
    if (!root) return reply.code(503).type('text/plain').send('The web console files are missing from this installation.');
    return sendFile(reply, root, 'index.html');
  });
  app.get('/console/*', options, async (request, reply) => {
    if (!root) return reply.code(503).type('text/plain').send('The web console files are missing from this installation.');
    const rest = (request.params as { '*': string })['*'];
    return sendFile(reply, root, rest === '' ? 'index.html' : rest);
  });
}
