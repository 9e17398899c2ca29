import { randomUUID } from 'node:crypto';
import { AppError } from '../../errors/app-error.js';
import type { AppContext } from '../../server/context.js';
import { isoNow, toWireTime } from '../../server/time.js';
import type { Tx } from '../../store/store.js';
import { agentFromRow, type Agent } from '../agents/agent.js';
import { recoveryKeyStore } from '../recovery-keys/recovery-key.store.js';
import { insertRestore } from '../restores/restore-create.action.js';
import { assertDestinationCanOpenVault } from '../restores/restore-start.rules.js';
import type { Drill } from './drill.js';
import { latestSuccessfulBackup } from './drill-backup.js';
import { lockDrill } from './drill-save.action.js';
import { drillRunFromRow, type DrillRun } from './drill-run.js';
import { finishDrillRun } from './drill-run-finish.js';
import { DrillRunState } from '../../domain/job-states.js';

export interface RunStart {
  startedBy: 'user' | 'schedule';
  scheduledTime?: string | null;
  now?: Date;
}

/**
 * Starts a run of the drill in one transaction: picks the configuration's latest successful backup and asks the
 * drill's agent to restore it into the drill's scratch folder (a restore job with `scratch: true`). When the run
 * cannot start (no such backup, the agent is disabled or cannot open the backup's vault) it is recorded as failed
 * with the reason, so a scheduled drill that cannot run is as loud as one that fails.
 */
export async function startDrillRun(ctx: AppContext, drill: Drill, start: RunStart): Promise<DrillRun> {
  return ctx.store.transaction((tx) => insertDrillRun(ctx, tx, drill, start));
}

export async function insertDrillRun(ctx: AppContext, tx: Tx, drill: Drill, start: RunStart): Promise<DrillRun> {
  await lockDrill(tx, drill.id);
  const now = start.now ?? new Date();
  const created = isoNow();
  const runId = randomUUID();
  const row = await tx.db
    .insertInto('drill_runs')
    .values({
      id: runId,
      project_id: drill.projectId,
      drill_id: drill.id,
      configuration_id: drill.configurationId,
      agent_id: drill.agentId,
      backup_id: null,
      restore_id: null,
      task_id: null,
      state: DrillRunState.restoring,
      started_by: start.startedBy,
      failure_reason: null,
      results: '{}',
      scheduled_time: start.scheduledTime ?? null,
      deadline_at: toWireTime(new Date(now.getTime() + drill.timeoutSeconds * 1000)),
      created_at: created,
      updated_at: created,
      ended_at: null,
      version_no: 1,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const run = drillRunFromRow(row);
  const refusal = await beginRestore(ctx, tx, drill, run, now);
  if (typeof refusal === 'string') return finishDrillRun(ctx, tx, run, DrillRunState.failed, refusal);
  return refusal;
}

/** Inserts the run's restore; returns the run with it, or why it cannot start. */
async function beginRestore(ctx: AppContext, tx: Tx, drill: Drill, run: DrillRun, now: Date): Promise<DrillRun | string> {
  const configuration = await tx.db.selectFrom('configurations').select(['name', 'deleted']).where('id', '=', drill.configurationId).executeTakeFirst();
  if (!configuration || configuration.deleted === 1) return `The configuration ${drill.configurationId} has been deleted; there is nothing to drill.`;
  const found = await latestSuccessfulBackup(tx, drill.projectId, drill.configurationId, now);
  if (!found) return `The configuration "${configuration.name}" has no completed, restorable backup to drill.`;
  const { backup, restorability } = found;
  const destination = await loadAgent(tx, drill.projectId, drill.agentId);
  if (!destination) return `The drill's agent ${drill.agentId} no longer exists.`;
  if (!destination.enabled) return `The drill's agent "${destination.name}" is disabled; enable it to run drills.`;
  const sourceId = backup.vaultId === null ? undefined : restorability.vaultAgents.get(backup.vaultId);
  const source = sourceId === undefined ? null : await loadAgent(tx, drill.projectId, sourceId);
  if (!source) return `The vault of backup ${backup.id} is no longer attached to an agent of the project.`;
  // A drill has nobody to type a vault password: the drill's agent opens the vault with its own key or the server's copy.
  const message = { backupId: backup.id, destinationAgentId: destination.id, destinationPath: drill.targetPath, overwriteFiles: false, encryptedPasswordHex: null, inclusions: [], exclusions: [] };
  try {
    const serverHoldsSourceKey = (await recoveryKeyStore.vaultCopy(tx.db, source.vault.id)) !== null;
    assertDestinationCanOpenVault(source, destination, message, serverHoldsSourceKey);
  } catch (error) {
    if (error instanceof AppError) return `The drill's agent cannot open the backup's vault: ${error.message}`;
    throw error;
  }
  const restore = await insertRestore(ctx, tx, backup, source, destination, message, { runId: run.id });
  await tx.db.updateTable('drill_runs').set({ backup_id: backup.id, restore_id: restore.id }).where('id', '=', run.id).execute();
  return { ...run, backupId: backup.id, restoreId: restore.id };
}

async function loadAgent(tx: Tx, projectId: string, id: string): Promise<Agent | undefined> {
  const row = await tx.db.selectFrom('agents').selectAll().where('id', '=', id).where('project_id', '=', projectId).executeTakeFirst();
  return row ? agentFromRow(row) : undefined;
}
