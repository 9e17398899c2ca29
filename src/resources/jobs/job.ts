import type { Selectable } from 'kysely';
import type { JobsTable } from '../../store/database.js';
import type { JobKind } from '../../domain/job-states.js';

export interface JobErrors {
  count: number;
  reason: string | null;
  diagnostics: string | null;
  list: unknown[];
}

/** A backup, restore or cleanup as the domain sees it (JSON columns parsed). */
export interface Job {
  seq: number;
  id: string;
  projectId: string;
  kind: JobKind;
  agentId: string;
  configurationId: string | null;
  backupId: string | null;
  state: string;
  startedBy: string;
  startedTime: string | null;
  endedTime: string | null;
  snapshotId: number | null;
  details: Record<string, unknown>;
  results: Record<string, unknown>;
  errors: JobErrors;
  scheduledTime: string | null;
  /** Backups: the vault the backup was written to. */
  vaultId: string | null;
  /** Backups: the cleanup that removed this backup's snapshot, after which it cannot be restored. */
  prunedBy: string | null;
  /** Backups: 'waiting' for a run slot in the queue, 'admitted' (holds one until it ends); null for other jobs. */
  admission: 'waiting' | 'admitted' | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export const EMPTY_ERRORS: JobErrors = { count: 0, reason: '', diagnostics: '', list: [] };

export function jobFromRow(row: Selectable<JobsTable>): Job {
  return {
    seq: Number(row.seq),
    id: row.id,
    projectId: row.project_id,
    kind: row.kind as JobKind,
    agentId: row.agent_id,
    configurationId: row.configuration_id,
    backupId: row.backup_id,
    state: row.state,
    startedBy: row.started_by,
    startedTime: row.started_time,
    endedTime: row.ended_time,
    snapshotId: row.snapshot_id === null ? null : Number(row.snapshot_id),
    details: JSON.parse(row.details),
    results: JSON.parse(row.results),
    errors: JSON.parse(row.errors),
    scheduledTime: row.scheduled_time,
    vaultId: row.vault_id ?? null,
    prunedBy: row.pruned_by ?? null,
    admission: row.admission ?? null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version_no,
  };
}

const KIND_TITLE: Record<JobKind, string> = { backup: 'Backup', restore: 'Restore', cleanup: 'Cleanup' };

export function jobTitle(kind: JobKind): string {
  return KIND_TITLE[kind];
}
