import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../server/context.js';
import { callerRank, type Caller } from '../../server/caller.js';
import { baseUrl } from '../../server/links.js';
import { callerOf } from '../../server/request-scope.js';
import { notAuthorized } from '../../errors/v3-catalogue.js';

/**
 * Who is asking, mapped onto Cloud Foundry's roles (docs/reference/README.md): a project stands for a space, `observer` is a
 * space auditor (reads, never sees `command`), `creator` and `admin` are space developers (read `command`, create,
 * cancel and update), the global administrator is CF's admin. An agent token is the agent's own: it sees its own
 * tasks (with `command`, which it runs), reports their state and output, and may not create, cancel or relabel.
 */
export interface TaskScope {
  caller: Caller;
  /** Absolute base of every link, e.g. http://127.0.0.1:8080. */
  base: string;
}

/** The scope gate Cloud Controller runs before anything else: a token with no Coffer role has no read or write scope. */
export function taskScope(request: FastifyRequest, ctx: AppContext): TaskScope {
  const caller = callerOf(request);
  if (callerRank(caller) < 1) throw notAuthorized();
  return { caller, base: baseUrl(ctx) };
}

/** Whether the caller may see tasks of this agent at all (otherwise the task or agent is "not found"). */
export function canSeeAgentTasks(caller: Caller, projectId: string, agentId: string): boolean {
  switch (caller.kind) {
    case 'admin':
      return true;
    case 'user':
      return caller.projectId === projectId;
    case 'agent':
      return caller.agentId === agentId;
  }
}

/** Space developers, admins and the task's own agent see `command`; observers do not. */
export function canSeeCommand(caller: Caller, agentId: string): boolean {
  if (caller.kind === 'agent') return caller.agentId === agentId;
  return callerRank(caller) >= 2;
}
