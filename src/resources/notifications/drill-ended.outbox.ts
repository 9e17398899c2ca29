import type { AppContext } from '../../server/context.js';
import type { Tx } from '../../store/store.js';
import type { DrillRun } from '../drills/drill-run.js';
import { enqueueEvent } from './outbox.js';
import { DrillRunState } from '../../domain/job-states.js';

interface StoredNotification {
  type: string;
  destination: string;
  on_success?: boolean;
  on_failure?: boolean;
}

/**
 * A drill run that ended, in the transaction that ended it: `drill_passed` or `drill_failed` on its agent's event
 * stream, the e-mails of its configuration's notifications (on_success for a pass, on_failure for a failure) and the
 * webhooks subscribed to drill.passed / drill.failed.
 */
export async function recordDrillRunEnded(ctx: AppContext, tx: Tx, run: DrillRun): Promise<void> {
  const [drill, configuration, agent] = await Promise.all([
    tx.db.selectFrom('drills').select(['id', 'name', 'target_path']).where('id', '=', run.drillId).executeTakeFirst(),
    tx.db.selectFrom('configurations').select(['id', 'name', 'notifications']).where('id', '=', run.configurationId).executeTakeFirst(),
    tx.db.selectFrom('agents').select(['id', 'name']).where('id', '=', run.agentId).executeTakeFirst(),
  ]);
  const document = {
    drill: { id: run.drillId, name: drill?.name ?? null, target_path: drill?.target_path ?? null },
    drill_run: {
      id: run.id,
      state: run.state,
      started_by: run.startedBy,
      failure_reason: run.failureReason,
      backup_id: run.backupId,
      restore_id: run.restoreId,
      task_guid: run.taskId,
      scheduled_time: run.scheduledTime,
      created_time: run.createdAt,
      ended_time: run.endedAt,
      results: run.results,
    },
    configuration: configuration ? { id: configuration.id, name: configuration.name } : null,
    agent: { id: run.agentId, name: agent?.name ?? null },
  };
  await ctx.events.record(tx, {
    projectId: run.projectId,
    agentId: run.agentId,
    configurationId: run.configurationId,
    subjectId: run.id,
    name: `drill_${run.state}`,
    body: document,
  });
  const passed = run.state === DrillRunState.passed;
  const notifications: StoredNotification[] = configuration ? JSON.parse(configuration.notifications) : [];
  const emails = notifications.filter((n) => n.type === 'email' && (passed ? n.on_success : n.on_failure)).map((n) => n.destination);
  const eventType = `drill.${run.state}`;
  await enqueueEvent(
    tx,
    { projectId: run.projectId, eventType, subjectId: run.id, payload: { type: eventType, project_id: run.projectId, outcome: passed ? 'success' : 'failure', ...document } },
    emails,
  );
}
