import type { AppContext } from '../../server/context.js';
import type { Tx } from '../../store/store.js';
import { announceAgentChanged } from '../agents/agent-configuration-changed.js';
import { ADMISSION_CHANNEL } from './backup-admission.js';

/** Queue settings changed: every agent of the project re-reads its document, and queued backups are judged again. */
export async function agentsOfProjectChanged(ctx: AppContext, tx: Tx, projectId: string): Promise<void> {
  const agents = await tx.db.selectFrom('agents').select('id').where('project_id', '=', projectId).execute();
  for (const agent of agents) await announceAgentChanged(ctx, tx, projectId, agent.id);
  await tx.notify(ADMISSION_CHANNEL, 'settings');
}
