import { randomUUID } from 'node:crypto';
import type { JobKind } from '../../domain/job-states.js';
import type { Tx } from '../../store/store.js';
import { isoNow } from '../../server/time.js';
import { JOB_MACHINES } from '../../domain/state-machines/job-machines.js';
import { isTerminal } from '../../domain/state-machines/state-machine.js';
import { recordJobEnded } from '../notifications/job-ended.outbox.js';
import { EMPTY_ERRORS, jobFromRow, type Job } from './job.js';
import { BackupState, type JobStartState } from '../../domain/job-states.js';

export interface NewJob {
  projectId: string;
  kind: JobKind;
  agentId: string;
  /**
   * How the job begins: asked by a user, started by its agent, (backups only) recorded as missed by the server, or
   * (backups only) waiting in the server's queue for a run slot.
   */
  state: JobStartState | typeof BackupState.missed | typeof BackupState.queued;
  /** Who started it; defaults to the start state (the server records missed backups as `server`). */
  startedBy?: string;
  configurationId?: string | null;
  backupId?: string | null;
  details?: Record<string, unknown>;
  scheduledTime?: string | null;
  vaultId?: string | null;
  /** Backups: whether it waits for a run slot or holds one (see resources/queue/backup-admission.ts). */
  admission?: 'waiting' | 'admitted' | null;
}

export async function insertJob(tx: Tx, job: NewJob): Promise<Job> {
  const now = isoNow();
  const row = await tx.db
    .insertInto('jobs')
    .values({
      id: randomUUID(),
      project_id: job.projectId,
      kind: job.kind,
      agent_id: job.agentId,
      configuration_id: job.configurationId ?? null,
      backup_id: job.backupId ?? null,
      state: job.state,
      started_by: job.startedBy ?? job.state,
      started_time: null,
      ended_time: null,
      snapshot_id: null,
      details: JSON.stringify(job.details ?? {}),
      results: '{}',
      errors: JSON.stringify(EMPTY_ERRORS),
      scheduled_time: job.scheduledTime ?? null,
      vault_id: job.vaultId ?? null,
      admission: job.admission ?? null,
      created_at: now,
      updated_at: now,
      version_no: 1,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const inserted = jobFromRow(row);
  // A job recorded as already over (a missed backup) ends here: its notifications are decided with it.
  if (isTerminal(JOB_MACHINES[job.kind], job.state)) await recordJobEnded(tx, inserted);
  return inserted;
}
