import type { Kysely } from 'kysely';
import type { Caller } from '../../server/caller.js';
import type { Database } from '../../store/database.js';
import { canSeeAgentTasks } from './task-scope.js';
import { TASK_COLUMNS, taskFromRow, type Task } from './task.js';
import { resourceNotFound } from '../../errors/v3-catalogue.js';

/** The task, if the caller may see it; anything else (absent, another project, another agent's) is "Task not found". */
export async function fetchVisibleTask(db: Kysely<Database>, caller: Caller, id: string): Promise<Task> {
  const row = await db.selectFrom('tasks').select(TASK_COLUMNS).where('tasks.id', '=', id).executeTakeFirst();
  if (!row || !canSeeAgentTasks(caller, row.project_id, row.agent_id)) throw resourceNotFound('Task');
  return taskFromRow(row);
}

export interface TaskAgent {
  id: string;
  projectId: string;
  /** The agent said at its last login that its owner enabled tasks on the host. */
  tasksEnabled: boolean;
}

/** The agent a task belongs to, if the caller may see it; otherwise "Agent not found" (CF's "App not found"). */
export async function fetchVisibleAgent(db: Kysely<Database>, caller: Caller, id: string): Promise<TaskAgent> {
  const row = await db.selectFrom('agents').select(['id', 'project_id', 'tasks_enabled']).where('id', '=', id).executeTakeFirst();
  if (!row || !canSeeAgentTasks(caller, row.project_id, row.id)) throw resourceNotFound('Agent');
  return { id: row.id, projectId: row.project_id, tasksEnabled: row.tasks_enabled === 1 };
}
