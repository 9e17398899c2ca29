import { JsonPatchError } from '../../domain/json-patch/json-patch-error.js';
import { TransitionError } from '../../domain/state-machines/state-machine.js';
import { AppError } from '../../errors/app-error.js';
import type { AppContext } from '../../server/context.js';
import { toWireTime } from '../../server/time.js';
import { jobFromRow, type Job } from './job.js';
import { JOB_KIND_RULES } from './job-kind-rules.js';
import { applyJobPatch } from './job-patch.action.js';
import { parseJobPatch } from './job-patch.message.js';
import { startPeriodicWork } from '../../server/periodic-work.js';
import { JobState } from '../../domain/job-states.js';

export const AGENT_LOST_REASON = 'agent_lost';
/** States in which the job's agent is working on it (so only the agent would ever end it). */
const RUNNING_STATES = [JobState.queued, JobState.preparing, JobState.in_progress, JobState.stop_requested];
const BATCH = 200;

/**
 * Ends, as `failed` with reason `agent_lost`, every running job that neither its agent nor its own reports touched
 * for `agentLostSeconds`: the agent died (or lost the server) mid-job. The end is an ordinary job patch by the
 * `server` actor, judged by the job's state machine and recorded with its event like any other end. The patch
 * tests the job's version, so a report that lands meanwhile (or another node's sweep) wins and this one passes.
 */
export async function failLostJobs(ctx: AppContext, now: Date = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - ctx.config.agentLostSeconds * 1000);
  const rows = await ctx.store.db
    .selectFrom('jobs')
    .innerJoin('agents', 'agents.id', 'jobs.agent_id')
    .selectAll('jobs')
    .where('jobs.state', 'in', RUNNING_STATES)
    .where('jobs.updated_at', '<', toWireTime(cutoff))
    .where((eb) => eb.or([eb('agents.last_seen_at', 'is', null), eb('agents.last_seen_at', '<', cutoff.toISOString())]))
    .orderBy('jobs.seq')
    .limit(BATCH)
    .execute();
  let ended = 0;
  for (const row of rows) if (await failLostJob(ctx, jobFromRow(row), now)) ended++;
  return ended;
}

async function failLostJob(ctx: AppContext, job: Job, now: Date): Promise<boolean> {
  const rules = JOB_KIND_RULES[job.kind];
  const minutes = Math.round(ctx.config.agentLostSeconds / 6) / 10;
  const diagnostics = `The agent was not heard from for ${minutes} minutes while this ${job.kind} ran; it stopped, lost its host or lost the server.`;
  const message = parseJobPatch(
    [
      { op: 'test', path: '/version', value: job.version },
      { op: 'replace', path: '/state', value: JobState.failed },
      { op: 'replace', path: '/ended_time', value: toWireTime(now) },
      {
        op: 'replace',
        path: '/errors',
        value: { count: 1, reason: AGENT_LOST_REASON, diagnostics, list: [{ index: 0, path: '', type: AGENT_LOST_REASON, exception: { code: 0, description: diagnostics, details: '' } }] },
      },
    ],
    rules.patch,
  );
  try {
    const changed = await applyJobPatch(ctx, job, 'server', message, { ...rules, present: (current) => ({ version: current.version }) });
    if (changed) ctx.log.warn({ kind: job.kind, id: job.id, agent: job.agentId }, `${job.kind} ended failed: agent lost`);
    return changed;
  } catch (error) {
    // The job moved on (a late report, a stop, another node's sweep): nothing to do.
    if (error instanceof JsonPatchError || error instanceof TransitionError || error instanceof AppError) return false;
    throw error;
  }
}

/**
 * Checks every quarter of the lost-agent timeout (at most every minute) until stopped. The first check
 * waits one whole timeout after the server started: while it was down its agents could not report, and they need
 * that long (their retries back off) to be heard again.
 */
export function startAgentLostSweeper(ctx: AppContext): () => Promise<void> {
  return startPeriodicWork(ctx, {
    what: 'lost-agent check',
    intervalMs: Math.max(1_000, Math.min(60_000, (ctx.config.agentLostSeconds * 1000) / 4)),
    firstAfterMs: ctx.config.agentLostSeconds * 1000,
    run: () => failLostJobs(ctx),
  });
}
