import type { Selectable } from 'kysely';
import type { StoredSchedule } from '../../domain/schedule/index.js';
import type { VaultVerificationsTable, VerificationRunsTable } from '../../store/database.js';
import type { VerificationRunState } from '../../domain/job-states.js';

/** The largest number of subsets: packs are split by the first byte of their id, so more would leave some empty. */
export const MAX_SUBSETS = 256;

export { VERIFICATION_TERMINAL } from '../../domain/state-machines/verification-machine.js';

/** An agent's verification schedule. */
export interface VaultVerification {
  agentId: string;
  projectId: string;
  enabled: boolean;
  schedule: StoredSchedule | null;
  subsets: number;
  runsStarted: number;
  nextRunTime: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface VerificationRun {
  id: string;
  projectId: string;
  agentId: string;
  vaultId: string;
  state: VerificationRunState;
  subset: number;
  subsets: number;
  startedBy: 'user' | 'schedule';
  results: VerificationResults;
  createdAt: string;
  updatedAt: string;
  endedAt: string | null;
}

/** What the agent reports of a run. */
export interface VerificationResults {
  errors?: string[];
  packs?: number;
  packs_read?: number;
  bytes_read?: number;
  snapshots?: number;
}

export function verificationFromRow(row: Selectable<VaultVerificationsTable>): VaultVerification {
  return {
    agentId: row.agent_id,
    projectId: row.project_id,
    enabled: row.enabled === 1,
    schedule: row.schedule === null ? null : (JSON.parse(row.schedule) as StoredSchedule),
    subsets: Number(row.subsets),
    runsStarted: Number(row.runs_started),
    nextRunTime: row.next_run_time,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function verificationRunFromRow(row: Selectable<VerificationRunsTable>): VerificationRun {
  return {
    id: row.id,
    projectId: row.project_id,
    agentId: row.agent_id,
    vaultId: row.vault_id,
    state: row.state as VerificationRunState,
    subset: Number(row.subset),
    subsets: Number(row.subsets),
    startedBy: row.started_by as VerificationRun['startedBy'],
    results: JSON.parse(row.results) as VerificationResults,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    endedAt: row.ended_at,
  };
}
