import type { Generated } from 'kysely';

/** A task: a one-off command one agent runs (the V3 Tasks API). */
export interface TasksTable {
  /** Insertion order: the default order of task lists. */
  seq: Generated<number>;
  /** The task's guid. */
  id: string;
  project_id: string;
  agent_id: string;
  /** 1, 2, 3 … per agent, never reused (see task_sequences). */
  sequence_id: number;
  name: string;
  command: string;
  /** The operating-system user to run as; null means the agent's own user. */
  run_user: string | null;
  state: string;
  failure_reason: string | null;
  memory_in_mb: number;
  disk_in_mb: number;
  log_rate_limit: number;
  /** A restorable backup of the agent to restore into the task's scratch directory. */
  droplet_guid: string | null;
  /** JSON {key: value}; mirrored in task_labels for label_selector queries. */
  labels: string;
  /** JSON {key: value}. */
  annotations: string;
  /** The last part of the command's output (at most 1 MiB of UTF-8). */
  output: string;
  /** Bytes of output the agent sent in all, kept or not. */
  output_bytes: number;
  created_at: string;
  updated_at: string;
  version_no: number;
}

/** One row per label of a task, so label selectors run in SQL and paging stays exact. */
export interface TaskLabelsTable {
  task_id: string;
  key: string;
  value: string;
}

/** The last sequence_id handed out per agent; survives pruning so numbers are never reused. */
export interface TaskSequencesTable {
  agent_id: string;
  last_sequence_id: number;
}

export interface TaskTables {
  tasks: TasksTable;
  task_labels: TaskLabelsTable;
  task_sequences: TaskSequencesTable;
}
