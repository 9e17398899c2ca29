import type { Selectable } from 'kysely';
import type { DrillRunState } from '../../domain/state-machines/drill-machine.js';
import type { DrillRunsTable } from '../../store/drill-tables.js';

/** What the restore of a run did, as its agent reported it. */
export interface DrillRestoreResult {
  state: string;
  files_restored: number | null;
  bytes_restored: number | null;
  errors: { count: number; reason: string | null; first: unknown[] };
}

/** How the check of a run ended, as its task says. */
export interface DrillCheckResult {
  state: string;
  failure_reason: string | null;
}

export interface DrillRunResults {
  restore?: DrillRestoreResult;
  check?: DrillCheckResult;
}

/** One run of a drill. */
export interface DrillRun {
  seq: number;
  id: string;
  projectId: string;
  drillId: string;
  configurationId: string;
  agentId: string;
  backupId: string | null;
  restoreId: string | null;
  taskId: string | null;
  state: DrillRunState;
  startedBy: 'user' | 'schedule';
  failureReason: string | null;
  results: DrillRunResults;
  scheduledTime: string | null;
  deadlineAt: string;
  createdAt: string;
  updatedAt: string;
  endedAt: string | null;
  version: number;
}

export function drillRunFromRow(row: Selectable<DrillRunsTable>): DrillRun {
  return {
    seq: Number(row.seq),
    id: row.id,
    projectId: row.project_id,
    drillId: row.drill_id,
    configurationId: row.configuration_id,
    agentId: row.agent_id,
    backupId: row.backup_id,
    restoreId: row.restore_id,
    taskId: row.task_id,
    state: row.state as DrillRunState,
    startedBy: row.started_by as 'user' | 'schedule',
    failureReason: row.failure_reason,
    results: JSON.parse(row.results) as DrillRunResults,
    scheduledTime: row.scheduled_time,
    deadlineAt: row.deadline_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    endedAt: row.ended_at,
    version: Number(row.version_no),
  };
}
