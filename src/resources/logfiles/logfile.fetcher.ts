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

/** An agent's log files, oldest first. */
export async function listAgentLogfiles(db: Kysely<Database>, agentId: string): Promise<Logfile[]> {
  const rows = await db.selectFrom('logfiles').selectAll().where('agent_id', '=', agentId).orderBy('seq', 'asc').execute();
  return rows.map(logfileFromRow);
}

/**
 * The log file a signed download link names, before the signature is checked: the link carries the project, or `_`
 * for links made before the project was known. Anything that does not match is 404.
 */
export async function fetchLinkedLogfile(db: Kysely<Database>, projectParam: string, agentId: string, id: string): Promise<Logfile> {
  const row = await db.selectFrom('logfiles').selectAll().where('id', '=', id).where('agent_id', '=', agentId).executeTakeFirst();
  if (!row || (projectParam !== '_' && projectParam !== row.project_id)) throw notFound('Log file not found.');
  return logfileFromRow(row);
}
