import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.js';
import { BackupState } from '../../domain/job-states.js';

/** A vault holds data once the agent reported bytes in it or any of its backups completed. */
export async function vaultHoldsData(db: Kysely<Database>, agentId: string): Promise<boolean> {
  const agent = await db.selectFrom('agents').select('vault_bytes').where('id', '=', agentId).executeTakeFirst();
  if (agent && Number(agent.vault_bytes) > 0) return true;
  const backup = await db
    .selectFrom('jobs')
    .select('id')
    .where('agent_id', '=', agentId)
    .where('kind', '=', 'backup')
    .where('state', 'in', [BackupState.completed, BackupState.completed_with_errors])
    .limit(1)
    .executeTakeFirst();
  return backup !== undefined;
}
