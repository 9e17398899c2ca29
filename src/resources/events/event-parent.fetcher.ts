import { notFound } from '../../errors/app-error.js';
import { assertMayListProject, assertMaySeeAgent, assertMaySeeAgentsResource } from '../agents/agent.permission.js';
import type { Caller } from '../../server/caller.js';
import type { AppContext } from '../../server/context.js';
import type { JobKind } from '../../domain/job-states.js';
import type { EventScope } from './event-scope.js';

const JOB_TITLES: Record<JobKind, string> = { backup: 'Backup', restore: 'Restore', cleanup: 'Cleanup' };

export async function assertAgentExists(ctx: AppContext, projectId: string, agentId: string): Promise<void> {
  const agent = await ctx.store.db.selectFrom('agents').select('id').where('id', '=', agentId).where('project_id', '=', projectId).executeTakeFirst();
  if (!agent) throw notFound('Agent not found.');
}

export async function agentEventScope(ctx: AppContext, caller: Caller, projectId: string, agentId: string): Promise<EventScope> {
  assertMaySeeAgent(caller, agentId);
  // The agent's own token was just read, and tokens go with their agent: no need to look the agent up on every poll.
  const ownToken = caller.kind === 'agent' && caller.agentId === agentId && caller.projectId === projectId;
  if (!ownToken) await assertAgentExists(ctx, projectId, agentId);
  return { kind: 'agent', projectId, agentId };
}

export async function jobEventScope(ctx: AppContext, caller: Caller, projectId: string, kind: JobKind, jobId: string): Promise<EventScope> {
  const job = await ctx.store.db.selectFrom('jobs').select(['id', 'agent_id']).where('id', '=', jobId).where('project_id', '=', projectId).where('kind', '=', kind).executeTakeFirst();
  if (!job) throw notFound(`${JOB_TITLES[kind]} not found.`);
  assertMaySeeAgentsResource(caller, job.agent_id, `${JOB_TITLES[kind]} not found.`);
  return { kind: 'subject', projectId, subjectId: jobId };
}

export async function configurationEventScope(ctx: AppContext, caller: Caller, projectId: string, configurationId: string): Promise<EventScope> {
  const configuration = await ctx.store.db.selectFrom('configurations').select(['id', 'agent_id']).where('id', '=', configurationId).where('project_id', '=', projectId).executeTakeFirst();
  if (!configuration) throw notFound('Configuration not found.');
  assertMaySeeAgentsResource(caller, configuration.agent_id, 'Configuration not found.');
  return { kind: 'configuration', projectId, configurationId };
}

export function projectEventScope(caller: Caller, projectId: string): EventScope {
  assertMayListProject(caller, 'events');
  return { kind: 'project', projectId };
}
