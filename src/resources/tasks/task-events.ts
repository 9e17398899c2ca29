import type { AppContext } from '../../server/context.js';
import type { Tx } from '../../store/store.js';
import type { Task } from './task.js';
import { recordTaskEnded } from '../notifications/task-ended.outbox.js';
import { advanceDrillAfterTask } from '../drills/drill-run-advance.js';

/** What the agent needs to run the task, carried by `task_start_request`. */
function taskStartBody(task: Task): Record<string, unknown> {
  return {
    agent: { id: task.agentId },
    task: {
      guid: task.id,
      name: task.name,
      command: task.command,
      user: task.user,
      memory_in_mb: task.memoryInMb,
      disk_in_mb: task.diskInMb,
      log_rate_limit_in_bytes_per_second: task.logRateLimit,
      droplet_guid: task.dropletGuid,
    },
  };
}

/** Event names on the shared stream: task_start_request, task_cancel_request, task_running, task_succeeded, task_failed. */
export function stateEventName(state: string): string {
  return `task_${state.toLowerCase()}`;
}

/** `extras`: more of what the agent needs, beside the task (a drill's check names the drill run and its restore). */
export async function recordTaskStart(ctx: AppContext, tx: Tx, task: Task, extras: Record<string, unknown> = {}): Promise<void> {
  await ctx.events.record(tx, { projectId: task.projectId, agentId: task.agentId, subjectId: task.id, name: 'task_start_request', body: { ...taskStartBody(task), ...extras } });
}

export async function recordTaskCancel(ctx: AppContext, tx: Tx, task: Task): Promise<void> {
  await ctx.events.record(tx, {
    projectId: task.projectId,
    agentId: task.agentId,
    subjectId: task.id,
    name: 'task_cancel_request',
    body: { agent: { id: task.agentId }, task: { guid: task.id } },
  });
}

/** task_running / task_succeeded / task_failed, after the state changed. */
export async function recordTaskState(ctx: AppContext, tx: Tx, task: Task): Promise<void> {
  await ctx.events.record(tx, {
    projectId: task.projectId,
    agentId: task.agentId,
    subjectId: task.id,
    name: stateEventName(task.state),
    body: { agent: { id: task.agentId }, task: { guid: task.id, state: task.state, failure_reason: task.failureReason } },
  });
  await recordTaskEnded(tx, task);
  await advanceDrillAfterTask(ctx, tx, task);
}
