import { TASK_TERMINAL_STATES } from '../../domain/state-machines/task-machine.js';
import type { Tx } from '../../store/store.js';
import type { Task } from '../tasks/task.js';
import { enqueueEvent } from './outbox.js';

/** A task that reached SUCCEEDED or FAILED: webhooks subscribed to task.succeeded / task.failed hear of it. */
export async function recordTaskEnded(tx: Tx, task: Task): Promise<void> {
  if (!(TASK_TERMINAL_STATES as readonly string[]).includes(task.state)) return;
  const eventType = `task.${task.state.toLowerCase()}`;
  const agent = await tx.db.selectFrom('agents').select('name').where('id', '=', task.agentId).executeTakeFirst();
  await enqueueEvent(tx, {
    projectId: task.projectId,
    eventType,
    subjectId: task.id,
    payload: {
      type: eventType,
      project_id: task.projectId,
      task: { guid: task.id, name: task.name, state: task.state, failure_reason: task.failureReason, updated_at: task.updatedAt },
      agent: { id: task.agentId, name: agent?.name ?? null },
    },
  });
}
