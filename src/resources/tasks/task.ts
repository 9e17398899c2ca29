import type { Selectable } from 'kysely';
import type { ResourceMetadata } from '../../domain/metadata/index.js';
import type { TasksTable } from '../../store/task-tables.js';

/** A task as the domain sees it (JSON columns parsed, output left out). */
export interface Task {
  seq: number;
  id: string;
  projectId: string;
  agentId: string;
  sequenceId: number;
  name: string;
  command: string;
  user: string | null;
  state: string;
  failureReason: string | null;
  memoryInMb: number;
  diskInMb: number;
  logRateLimit: number;
  dropletGuid: string | null;
  metadata: ResourceMetadata;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** Every column except the output, which only the output endpoints read. */
export const TASK_COLUMNS = [
  'tasks.seq',
  'tasks.id',
  'tasks.project_id',
  'tasks.agent_id',
  'tasks.sequence_id',
  'tasks.name',
  'tasks.command',
  'tasks.run_user',
  'tasks.state',
  'tasks.failure_reason',
  'tasks.memory_in_mb',
  'tasks.disk_in_mb',
  'tasks.log_rate_limit',
  'tasks.droplet_guid',
  'tasks.labels',
  'tasks.annotations',
  'tasks.created_at',
  'tasks.updated_at',
  'tasks.version_no',
] as const;

export type TaskRow = Omit<Selectable<TasksTable>, 'output' | 'output_bytes'>;

export function taskFromRow(row: TaskRow): Task {
  return {
    seq: Number(row.seq),
    id: row.id,
    projectId: row.project_id,
    agentId: row.agent_id,
    sequenceId: Number(row.sequence_id),
    name: row.name,
    command: row.command,
    user: row.run_user,
    state: row.state,
    failureReason: row.failure_reason,
    memoryInMb: Number(row.memory_in_mb),
    diskInMb: Number(row.disk_in_mb),
    logRateLimit: Number(row.log_rate_limit),
    dropletGuid: row.droplet_guid,
    metadata: { labels: storedJson(row.labels, 'labels'), annotations: storedJson(row.annotations, 'annotations') },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version_no,
  };
}

/**
 * Stored JSON that does not parse is a fault of the server, not of the request: a plain Error (500), never the
 * SyntaxError the error handler would take for a malformed request body (400).
 */
function storedJson(text: string, column: string): Record<string, string> {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`tasks.${column} holds invalid JSON`);
  }
}
