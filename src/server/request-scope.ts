import type { FastifyRequest } from 'fastify';
import { badRequest, notFound } from '../errors/app-error.js';
import { canSeeProject, type Caller } from './caller.js';
import { baseUrl, Urls } from './links.js';
import type { AppContext } from './context.js';

/** Placeholder the router puts where a `/v2/…` URL had no project segment (see rewriteV2Url). */
export const PROJECT_FROM_TOKEN = '_';

export interface V2Scope {
  caller: Caller;
  projectId: string;
  urls: Urls;
  /** The `X-Agent-Id` header, when the caller sent one. */
  agentHeader: string | undefined;
}

export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new Error('route is missing authentication');
  return request.caller;
}

/** Resolves the project of a v2 request and checks the caller may see it (another project is 404). */
export function v2Scope(request: FastifyRequest, ctx: AppContext): V2Scope {
  const caller = callerOf(request);
  const params = request.params as { project_id?: string };
  const headerProject = typeof request.headers['x-project-id'] === 'string' ? request.headers['x-project-id'] : undefined;
  let projectId = params.project_id ?? PROJECT_FROM_TOKEN;
  if (projectId === PROJECT_FROM_TOKEN) {
    projectId = headerProject ?? (caller.kind === 'admin' ? '' : caller.projectId);
    if (!projectId) throw badRequest('A project id is required in the URL or in the X-Project-Id header.');
  } else if (headerProject && headerProject !== projectId) {
    throw badRequest(`The X-Project-Id header (${headerProject}) does not match the project in the URL (${projectId}).`);
  }
  if (!canSeeProject(caller, projectId)) throw notFound('Project not found.');
  const agentHeader = typeof request.headers['x-agent-id'] === 'string' ? request.headers['x-agent-id'] : undefined;
  return { caller, projectId, urls: new Urls(baseUrl(ctx), projectId), agentHeader };
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | null;
  }
  interface FastifyContextConfig {
    /** Served without a token (ping, login, versions, docs). */
    public?: boolean;
  }
}
