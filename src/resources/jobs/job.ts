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

type JobRow = Selectable<JobsTable>;

/** How each field of a Job is read from its row: the column behind it and the conversion (JSON parsed, …). */
const JOB_FIELDS = {
  seq: { column: 'seq', read: (row) => Number(row.seq) },
  id: { column: 'id', read: (row) => row.id },
  projectId: { column: 'project_id', read: (row) => row.project_id },
  kind: { column: 'kind', read: (row) => row.kind as JobKind },
  agentId: { column: 'agent_id', read: (row) => row.agent_id },
  configurationId: { column: 'configuration_id', read: (row) => row.configuration_id },
  backupId: { column: 'backup_id', read: (row) => row.backup_id },
  state: { column: 'state', read: (row) => row.state },
  startedBy: { column: 'started_by', read: (row) => row.started_by },
  startedTime: { column: 'started_time', read: (row) => row.started_time },
  endedTime: { column: 'ended_time', read: (row) => row.ended_time },
  snapshotId: { column: 'snapshot_id', read: (row) => (row.snapshot_id === null ? null : Number(row.snapshot_id)) },
  details: { column: 'details', read: (row) => JSON.parse(row.details) as Record<string, unknown> },
  results: { column: 'results', read: (row) => JSON.parse(row.results) as Record<string, unknown> },
  errors: { column: 'errors', read: (row) => JSON.parse(row.errors) as JobErrors },
  scheduledTime: { column: 'scheduled_time', read: (row) => row.scheduled_time },
  vaultId: { column: 'vault_id', read: (row) => row.vault_id ?? null },
  prunedBy: { column: 'pruned_by', read: (row) => row.pruned_by ?? null },
  admission: { column: 'admission', read: (row) => row.admission ?? null },
  createdAt: { column: 'created_at', read: (row) => row.created_at },
  updatedAt: { column: 'updated_at', read: (row) => row.updated_at },
  version: { column: 'version_no', read: (row) => row.version_no },
} satisfies { [F in keyof Job]: { column: keyof JobRow; read(row: JobRow): Job[F] } };

export function jobFromRow(row: JobRow): Job {
  const f = JOB_FIELDS;
  return {
    seq: f.seq.read(row),
    id: f.id.read(row),
    projectId: f.projectId.read(row),
    kind: f.kind.read(row),
    agentId: f.agentId.read(row),
    configurationId: f.configurationId.read(row),
    backupId: f.backupId.read(row),
    state: f.state.read(row),
    startedBy: f.startedBy.read(row),
    startedTime: f.startedTime.read(row),
    endedTime: f.endedTime.read(row),
    snapshotId: f.snapshotId.read(row),
    details: f.details.read(row),
    results: f.results.read(row),
    errors: f.errors.read(row),
    scheduledTime: f.scheduledTime.read(row),
    vaultId: f.vaultId.read(row),
    prunedBy: f.prunedBy.read(row),
    admission: f.admission.read(row),
    createdAt: f.createdAt.read(row),
    updatedAt: f.updatedAt.read(row),
    version: f.version.read(row),
  };
}

/** The columns behind some fields of a Job (what to select to read only those). */
export function jobColumns(fields: readonly (keyof Job)[]): (keyof JobRow)[] {
  return fields.map((field) => JOB_FIELDS[field].column);
}

/** Those fields of a Job from a row that holds (at least) their columns, as jobColumns names them. */
export function jobPartFromRow<F extends keyof Job>(row: Partial<JobRow>, fields: readonly F[]): Pick<Job, F> {
  const part: Partial<Job> = {};
  for (const field of fields) (part as Record<string, unknown>)[field] = JOB_FIELDS[field].read(row as JobRow);
  return part as Pick<Job, F>;
}

const KIND_TITLE: Record<JobKind, string> = { backup: 'Backup', restore: 'Restore', cleanup: 'Cleanup' };

export function jobTitle(kind: JobKind): string {
  return KIND_TITLE[kind];
}
