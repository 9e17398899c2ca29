import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../server/context.js';
import { isoNow } from '../../server/time.js';
import type { Tx } from '../../store/store.js';
import type { Agent } from '../agents/agent.js';
import { verificationRunFromRow, type VerificationRun } from './verification.js';
import { VerificationRunState } from '../../domain/job-states.js';

/**
 * Starts a verification run of the agent's vault inside `tx`: the next subset in turn (runs_started mod subsets, + 1;
 * a whole read when the agent has no schedule), and a `verification_start_request` event for the agent.
 */
export async function insertVerificationRun(ctx: AppContext, tx: Tx, agent: Pick<Agent, 'id' | 'projectId' | 'vault'>, startedBy: VerificationRun['startedBy']): Promise<VerificationRun> {
  const settings = await tx.db.selectFrom('vault_verifications').select(['subsets', 'runs_started']).where('agent_id', '=', agent.id).executeTakeFirst();
  const subsets = settings ? Number(settings.subsets) : 1;
  const subset = settings ? (Number(settings.runs_started) % subsets) + 1 : 1;
  if (settings) {
    await tx.db
      .updateTable('vault_verifications')
      .set({ runs_started: Number(settings.runs_started) + 1 })
      .where('agent_id', '=', agent.id)
      .execute();
  }
  const now = isoNow();
  const id = randomUUID();
  await tx.db
    .insertInto('verification_runs')
    .values({
      id,
      project_id: agent.projectId,
      agent_id: agent.id,
      vault_id: agent.vault.id,
      state: VerificationRunState.start_requested,
      subset,
      subsets,
      started_by: startedBy,
      results: '{}',
      created_at: now,
      updated_at: now,
      ended_at: null,
    })
    .execute();
  await ctx.events.record(tx, {
    projectId: agent.projectId,
    agentId: agent.id,
    subjectId: id,
    name: 'verification_start_request',
    body: { agent: { id: agent.id, vault: { id: agent.vault.id } }, verification: { id, read_data_subset: `${subset}/${subsets}` }, request_id: id },
  });
  return verificationRunFromRow(await tx.db.selectFrom('verification_runs').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
}
