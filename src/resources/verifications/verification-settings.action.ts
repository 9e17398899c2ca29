import type { AppContext } from '../../server/context.js';
import { isoNow } from '../../server/time.js';
import type { Agent } from '../agents/agent.js';
import { verificationFromRow, type VaultVerification } from './verification.js';
import { nextVerificationTime } from './verification-schedule.js';
import type { VerificationSettings } from './verification-settings.message.js';

/** Creates or replaces the agent's verification schedule; the run counter (which subset comes next) carries on. */
export async function saveVerificationSettings(ctx: AppContext, agent: Agent, settings: VerificationSettings): Promise<VaultVerification> {
  return ctx.store.transaction(async (tx) => {
    const now = isoNow();
    const existing = await tx.db.selectFrom('vault_verifications').selectAll().where('agent_id', '=', agent.id).executeTakeFirst();
    const createdAt = existing?.created_at ?? now;
    const columns = {
      enabled: settings.enabled ? 1 : 0,
      schedule: settings.schedule === null ? null : JSON.stringify(settings.schedule),
      subsets: settings.subsets,
      next_run_time: nextVerificationTime(settings, createdAt, new Date(now)),
      updated_at: now,
    };
    if (existing) {
      await tx.db.updateTable('vault_verifications').set(columns).where('agent_id', '=', agent.id).execute();
    } else {
      await tx.db
        .insertInto('vault_verifications')
        .values({ agent_id: agent.id, project_id: agent.projectId, runs_started: 0, created_at: now, ...columns })
        .execute();
    }
    return verificationFromRow(await tx.db.selectFrom('vault_verifications').selectAll().where('agent_id', '=', agent.id).executeTakeFirstOrThrow());
  });
}
