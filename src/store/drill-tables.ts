import type { Generated } from 'kysely';

/** A restore drill of a configuration: where, how and when its latest backup is restored and checked. */
export interface DrillsTable {
  seq: Generated<number>;
  id: string;
  project_id: string;
  configuration_id: string;
  name: string;
  /** The agent that restores the backup and runs the check. */
  agent_id: string;
  /** Absolute scratch folder on that agent: must be absent or empty when a run starts; removed when it ends. */
  target_path: string;
  /** The check, run in the scratch folder as a v3 task; exit 0 passes. */
  command: string;
  /** The task's operating-system user; null: the agent's task user. */
  run_user: string | null;
  /** JSON `{recurrence, time_zone}` like a configuration's, or null (runs only on request). */
  schedule: string | null;
  timeout_seconds: number;
  enabled: number;
  /** The next scheduled run not started yet; the scheduler claims it by moving it on. */
  next_run_time: string | null;
  created_at: string;
  updated_at: string;
}

/** One run of a drill, shown as a job: the restore it started, the task it ran, and how it ended. */
export interface DrillRunsTable {
  seq: Generated<number>;
  id: string;
  project_id: string;
  drill_id: string;
  configuration_id: string;
  agent_id: string;
  /** The backup restored (the configuration's latest completed one when the run started); null when there was none. */
  backup_id: string | null;
  restore_id: string | null;
  task_id: string | null;
  state: string;
  /** `user` or `schedule`. */
  started_by: string;
  failure_reason: string | null;
  /** JSON: `{restore: {...}, check: {...}}` as each part ended. */
  results: string;
  scheduled_time: string | null;
  /** When the whole run must be over; past it the server fails the run and cancels what is still going. */
  deadline_at: string;
  created_at: string;
  updated_at: string;
  ended_at: string | null;
  version_no: number;
}

export interface DrillTables {
  drills: DrillsTable;
  drill_runs: DrillRunsTable;
}
