import type { FastifyRequest } from 'fastify';
import { badRequest, forbidden, notFound } from '../errors/app-error.js';
import { canSeeProject, type Caller } from './caller.js';
import { baseUrl, Urls } from './links.js';
import type { AppContext } from './context.js';
import { assertMaySeeAgent } from '../resources/agents/agent.permission.js';

/** Placeholder the router puts where a `/v2/…` URL had no project segment (see rewriteV2Url). */
export const PROJECT_FROM_TOKEN = '_';

export interface V2Scope {
  caller: Caller;
  projectId: string;
  urls: Urls;
}

export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new Error('route is missing authentication');
  return request.caller;
}

/** Resolves the project of a v2 request and checks the caller may see it (another project is 404). */
export function v2Scope(request: FastifyRequest, ctx: AppContext): V2Scope {
  const caller = callerOf(request);
  const params = request.params as { project_id?: string; agent_id?: string };
  const headerProject = typeof request.headers['x-project-id'] === 'string' ? request.headers['x-project-id'] : undefined;
  let projectId = params.project_id ?? PROJECT_FROM_TOKEN;
  if (projectId === PROJECT_FROM_TOKEN) {
    projectId = headerProject ?? (caller.kind === 'admin' ? '' : caller.projectId);
    if (!projectId) throw badRequest('A project id is required in the URL or in the X-Project-Id header.');
  } else if (headerProject && headerProject !== projectId) {
    throw badRequest(`The X-Project-Id header (${headerProject}) does not match the project in the URL (${projectId}).`);
  }
  if (!canSeeProject(caller, projectId)) throw notFound('Project not found.');
  assertAgentHeader(request, caller);
  // Every `/agents/{agent_id}/…` path: another agent is invisible to an agent's token, like another project.
  if (params.agent_id !== undefined) assertMaySeeAgent(caller, params.agent_id);
  return { caller, projectId, urls: new Urls(baseUrl(ctx), projectId) };
}

/**
 * Agents send `X-Agent-Id` on every call. It identifies nobody: an agent is its token. With an agent's token it must
 * name that agent; with a user's token it is ignored (the caller is the user).
 */
function assertAgentHeader(request: FastifyRequest, caller: Caller): void {
  const header = request.headers['x-agent-id'];
  if (caller.kind !== 'agent' || header === undefined) return;
  if (header !== caller.agentId) throw forbidden('X-Agent-Id does not match the agent token.');
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
