import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { EMPTY_METADATA, mergeMetadata, MetadataLimitExceededError, type ResourceMetadata } from '../../domain/metadata/index.js';
import type { AppContext } from '../../server/context.js';
import { isoNow } from '../../server/time.js';
import type { Tx } from '../../store/store.js';
import type { TaskAgent } from './task.fetcher.js';
import { randomTaskName, TASK_DEFAULTS, taskModelErrors } from './task-defaults.js';
import { assertRestorableBackup } from './task-droplet.js';
import { recordTaskStart } from './task-events.js';
import { replaceTaskLabels } from './task-labels.store.js';
import type { TaskCreateMessage } from './task-create.message.js';
import type { Task } from './task.js';
import { metadataLimitError, tasksDisabled, unprocessable } from '../../errors/v3-catalogue.js';
import { TaskState } from '../../domain/job-states.js';

/**
 * Creates the task PENDING with the agent's next sequence_id and tells the agent through a `task_start_request`
 * event, all in one transaction: the counter row is locked by the upsert until commit, so concurrent creates on one
 * agent get consecutive numbers, and a failed create gives its number back. Before that, in Cloud Controller's order:
 * the agent must have tasks enabled, a droplet must be a restorable backup of the agent, and the task must be valid
 * (a missing name gets a random one).
 */
export async function createTask(ctx: AppContext, agent: TaskAgent, request: TaskCreateMessage): Promise<Task> {
  if (!agent.tasksEnabled) throw tasksDisabled(agent.id);
  if (request.dropletGuid !== null) await assertRestorableBackup(ctx.store.db, agent, request.dropletGuid);
  const message = { ...request, name: request.name ?? randomTaskName() };
  const modelErrors = taskModelErrors({ name: message.name, command: message.command, diskInMb: message.diskInMb });
  if (modelErrors.length > 0) throw unprocessable(modelErrors);
  let metadata: ResourceMetadata;
  try {
    metadata = mergeMetadata(EMPTY_METADATA, message.metadata);
  } catch (error) {
    if (error instanceof MetadataLimitExceededError) throw metadataLimitError(error);
    throw error;
  }
  return ctx.store.transaction((tx) => insertTask(ctx, tx, agent, message, metadata));
}

/** The task's writes inside the caller's transaction (a drill run creates its check task with the run's own writes). */
export async function insertTask(
  ctx: AppContext,
  tx: Tx,
  agent: Pick<TaskAgent, 'id' | 'projectId'>,
  message: Omit<TaskCreateMessage, 'metadata'> & { name: string },
  metadata: ResourceMetadata = EMPTY_METADATA,
  startExtras?: Record<string, unknown>,
): Promise<Task> {
  const sequenceId = await nextSequenceId(tx, agent.id);
  const now = isoNow();
  const task: Task = {
    seq: 0,
    id: randomUUID(),
    projectId: agent.projectId,
    agentId: agent.id,
    sequenceId,
    name: message.name,
    command: message.command,
    user: message.user,
    state: TaskState.PENDING,
    failureReason: null,
    memoryInMb: message.memoryInMb ?? TASK_DEFAULTS.memoryInMb,
    diskInMb: message.diskInMb ?? TASK_DEFAULTS.diskInMb,
    logRateLimit: message.logRateLimit ?? TASK_DEFAULTS.logRateLimit,
    dropletGuid: message.dropletGuid,
    metadata,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  const inserted = await tx.db
    .insertInto('tasks')
    .values({
      id: task.id,
      project_id: task.projectId,
      agent_id: task.agentId,
      sequence_id: task.sequenceId,
      name: task.name,
      command: task.command,
      run_user: task.user,
      state: task.state,
      failure_reason: null,
      memory_in_mb: task.memoryInMb,
      disk_in_mb: task.diskInMb,
      log_rate_limit: task.logRateLimit,
      droplet_guid: task.dropletGuid,
      labels: JSON.stringify(metadata.labels),
      annotations: JSON.stringify(metadata.annotations),
      output: '',
      output_bytes: 0,
      created_at: now,
      updated_at: now,
      version_no: 1,
    })
    .returning('seq')
    .executeTakeFirstOrThrow();
  task.seq = Number(inserted.seq);
  await replaceTaskLabels(tx, task.id, metadata.labels);
  await recordTaskStart(ctx, tx, task, startExtras);
  return task;
}

async function nextSequenceId(tx: Tx, agentId: string): Promise<number> {
  const row = await tx.db
    .insertInto('task_sequences')
    .values({ agent_id: agentId, last_sequence_id: 1 })
    .onConflict((oc) => oc.column('agent_id').doUpdateSet({ last_sequence_id: sql<number>`task_sequences.last_sequence_id + 1` }))
    .returning('last_sequence_id')
    .executeTakeFirstOrThrow();
  return Number(row.last_sequence_id);
}
