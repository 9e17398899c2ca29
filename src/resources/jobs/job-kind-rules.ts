import { backupMachine, cleanupMachine, restoreMachine } from '../../domain/state-machines/job-machines.js';
import type { JobKind } from '../../domain/job-states.js';
import type { Actor, StateMachine } from '../../domain/state-machines/state-machine.js';
import { assertAdmittedToRun } from '../queue/queue-rules.js';
import type { AppContext } from '../../server/context.js';
import type { Tx } from '../../store/store.js';
import { recordLastCompleted } from '../backups/backup-completed.hook.js';
import { BACKUP_PATCH } from '../backups/backup-patch.fields.js';
import { markPrunedBackups } from '../cleanups/cleanup-completed.hook.js';
import { advanceDrillAfterRestore } from '../drills/drill-run-advance.js';
import { CLEANUP_PATCH } from '../cleanups/cleanup-patch.fields.js';
import { RESTORE_PATCH } from '../restores/restore-patch.fields.js';
import type { Job } from './job.js';
import type { PatchAllowList } from '../../domain/json-patch/index.js';
import type { PatchField } from './job-patch-fields.js';

/**
 * What every change of a job of each kind goes through, whoever makes it (the agent's report, a user's stop, the
 * server ending a job whose agent was lost): its state machine, its patchable fields, and its extra writes.
 */
export interface JobKindRules {
  machine: StateMachine;
  /** what a JSON Patch report may write */
  patch: PatchAllowList<PatchField>;
  /** Extra writes when a job reaches a terminal state. */
  afterChange?(tx: Tx, before: Job, after: Job, ctx: AppContext): Promise<void>;
  guard?(before: Job, after: Job, actor: Actor): void;
}

export const JOB_KIND_RULES: Record<JobKind, JobKindRules> = {
  backup: { machine: backupMachine, patch: BACKUP_PATCH, afterChange: recordLastCompleted, guard: assertAdmittedToRun },
  restore: { machine: restoreMachine, patch: RESTORE_PATCH, afterChange: (tx, _before, after, ctx) => advanceDrillAfterRestore(ctx, tx, after) },
  cleanup: { machine: cleanupMachine, patch: CLEANUP_PATCH, afterChange: markPrunedBackups },
};
