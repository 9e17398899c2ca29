import { forbidden, notFound } from '../../errors/app-error.js';
import type { Caller } from '../../server/caller.js';

/*
 * Least privilege for agents' tokens. An agent sees and acts on its own agent only: everything that belongs to another
 * agent of its project (the agent itself, its configurations, jobs, activities, events, log files, requests, quota,
 * vault) is as invisible as another project's data, so 404 with the same message an unknown id gets. Lists that span
 * the whole project are for people: an agent's token gets 403 there.
 */

/** 404 for an agent's token naming another agent, exactly like an id that does not exist. */
export function assertMaySeeAgent(caller: Caller, agentId: string): void {
  if (caller.kind === 'agent' && caller.agentId !== agentId) throw notFound('Agent not found.');
}

/**
 * A resource owned by one agent (a job, a configuration): an agent's token sees only its own agent's, and any other is
 * answered with the resource's own not-found message.
 */
export function assertMaySeeAgentsResource(caller: Caller, ownerAgentId: string, notFoundMessage: string): void {
  if (caller.kind === 'agent' && caller.agentId !== ownerAgentId) throw notFound(notFoundMessage);
}

/** Project-wide collections (agents, jobs, configurations, activities, events, webhooks, deliveries, settings). */
export function assertMayListProject(caller: Caller, collection: string): void {
  if (caller.kind === 'agent') {
    throw forbidden(`An agent's token does not read the project's ${collection}: an agent reads only its own agent, under /agents/{its id}.`);
  }
}
