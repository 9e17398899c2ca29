import type { Kysely } from 'kysely';
import { notFound } from '../../errors/app-error.js';
import type { Database } from '../../store/database.js';
import { logfileFromRow, type Logfile } from './logfile.js';

/** The log file of that agent in the caller's project; anything else is 404. */
export async function fetchLogfile(db: Kysely<Database>, projectId: string, agentId: string, id: string): Promise<Logfile> {
  const row = await db.selectFrom('logfiles').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || row.project_id !== projectId || row.agent_id !== agentId) throw notFound('Log file not found.');
  return logfileFromRow(row);
}
