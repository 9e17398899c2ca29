import type { Actor } from '../../domain/state-machines/state-machine.js';
import { forbidden } from '../../errors/app-error.js';
import type { Caller } from '../../server/caller.js';
import { assertMaySeeAgentsResource } from '../agents/agent.permission.js';
import { jobTitle, type Job } from './job.js';
import type { JobPatchMessage } from './job-patch.message.js';

/** A job belongs to its agent (a restore to its destination): another agent's token gets the job's 404. */
export function assertMaySeeJob(caller: Caller, job: Job): void {
  assertMaySeeAgentsResource(caller, job.agentId, `${jobTitle(job.kind)} not found.`);
}

/** Who is reporting: the job's own agent, or a user. Another agent, or an observer, may not write at all. */
export function jobActor(caller: Caller, jobAgentId: string): Actor {
  if (caller.kind === 'agent') {
    if (caller.agentId !== jobAgentId) throw forbidden('An agent may only report on its own jobs.');
    return 'agent';
  }
  return 'user';
}

/** Users may only ask a job to stop; every other field is the agent's to report. */
export function assertActorMayWrite(actor: Actor, message: JobPatchMessage): void {
  if (actor === 'agent') return;
  const other = message.writes.find((w) => w.field.path !== '/state');
  if (other) throw forbidden(`Only the agent may report "${other.field.path}".`);
}
