import type { Caller } from '../../server/caller.js';
import { assertMaySeeAgentsResource } from '../agents/agent.permission.js';
import { jobTitle, type Job } from './job.js';

/** A job belongs to its agent (a restore to its destination): another agent's token gets the job's 404. */
export function assertMaySeeJob(caller: Caller, job: Job): void {
  assertMaySeeAgentsResource(caller, job.agentId, `${jobTitle(job.kind)} not found.`);
}
