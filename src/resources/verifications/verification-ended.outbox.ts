import type { AppContext } from '../../server/context.js';
import type { Tx } from '../../store/store.js';
import { enqueueEvent } from '../notifications/outbox.js';
import type { VerificationRun } from './verification.js';
import { VerificationRunState } from '../../domain/job-states.js';
import { verificationOutcome } from './verification.presenter.js';

interface StoredNotification {
  type: string;
  destination: string;
  on_failure?: boolean;
}

/**
 * A verification run that ended, in the transaction that ended it: `verification_passed` / `verification_failed` on
 * the agent's event stream, webhooks subscribed to verification.passed / verification.failed, and for a failure an
 * e-mail to every on_failure address of the agent's configurations (the people told when its backups fail).
 */
export async function recordVerificationEnded(ctx: AppContext, tx: Tx, run: VerificationRun): Promise<void> {
  const agent = await tx.db.selectFrom('agents').select(['id', 'name']).where('id', '=', run.agentId).executeTakeFirst();
  const document = {
    verification: { id: run.id, ...verificationOutcome(run) },
    agent: { id: run.agentId, name: agent?.name ?? null, vault: { id: run.vaultId } },
  };
  await ctx.events.record(tx, { projectId: run.projectId, agentId: run.agentId, subjectId: run.id, name: `verification_${run.state}`, body: document });
  const failed = run.state === VerificationRunState.failed;
  let emails: string[] = [];
  if (failed) {
    const rows = await tx.db.selectFrom('configurations').select('notifications').where('agent_id', '=', run.agentId).where('deleted', '=', 0).execute();
    emails = rows.flatMap((row) => (JSON.parse(row.notifications) as StoredNotification[]).filter((n) => n.type === 'email' && n.on_failure).map((n) => n.destination));
  }
  const eventType = `verification.${run.state}`;
  await enqueueEvent(
    tx,
    { projectId: run.projectId, eventType, subjectId: run.id, payload: { type: eventType, project_id: run.projectId, outcome: failed ? 'failure' : 'success', ...document } },
    emails,
  );
}
