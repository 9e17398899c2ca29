import type { Logger } from 'pino';
import type { AgentState, WorkRecord } from './agent-state.js';
import { failureDocument, wireNow } from './jobs/job-errors.js';
import { jobUrl, replace, report, type JobRuntime } from './jobs/job-runtime.js';
import type { TaskRunner } from './jobs/task-job.js';
import { isTerminalTaskState, jobHasEnded, JobState, TaskState, type JobKind } from '../domain/job-states.js';

const RESTART_REASON = 'The agent stopped (crash, kill or reboot) while this job was running; it did not finish.';

/**
 * After a restart: a job the agent was running when it died is reported `failed` (or `stopped`, if a user had
 * asked for that), and so is a task; a job it had only queued is handed back to be run.
 */
export async function recoverInterruptedWork(rt: JobRuntime, state: AgentState, tasks: TaskRunner, log: Logger, requeue: (record: WorkRecord) => Promise<void>): Promise<void> {
  for (const record of state.inHand()) {
    try {
      if (record.kind === 'task') {
        const task = await rt.api.get<{ state: string }>(rt.api.v3('tasks', record.id), { accept: [404] });
        if (task.status !== 404 && !isTerminalTaskState(task.body.state)) {
          await tasks.report(record.id, TaskState.FAILED, 'the agent restarted while the task was running');
        }
        await state.forget(record.id);
        continue;
      }
      const kind = record.kind as JobKind;
      const job = await rt.api.get<{ state: string }>(jobUrl(rt, kind, record.id), { accept: [404] });
      if (job.status === 404 || jobHasEnded(kind, job.body.state)) {
        await state.forget(record.id);
        continue;
      }
      if (record.phase === 'queued' && job.body.state !== JobState.stop_requested) {
        log.info({ kind, id: record.id }, 'resuming a job queued before the restart');
        await requeue(record);
        continue;
      }
      const ended = replace('/ended_time', wireNow());
      if (job.body.state === JobState.stop_requested) await report(rt, kind, record.id, [replace('/state', JobState.stopped), ended]);
      else await report(rt, kind, record.id, [replace('/state', JobState.failed), ended, replace('/errors', failureDocument('agent_restarted', RESTART_REASON))]);
      log.warn({ kind, id: record.id }, 'job interrupted by a restart was ended');
      await state.forget(record.id);
    } catch (err) {
      log.error({ id: record.id, err: (err as Error).message }, 'could not settle work left from before the restart');
    }
  }
}
