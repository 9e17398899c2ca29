import type { Kysely } from 'kysely';
import { notFound } from '../../errors/app-error.js';
import type { Database } from '../../store/database.js';
import { agentFromRow, type Agent } from './agent.js';

export async function fetchAgent(db: Kysely<Database>, projectId: string, id: string): Promise<Agent> {
  const row = await db.selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || row.project_id !== projectId) throw notFound('Agent not found.');
  return agentFromRow(row);
}

export async function findAgent(db: Kysely<Database>, projectId: string, id: string): Promise<Agent | null> {
  const row = await db.selectFrom('agents').selectAll().where('id', '=', id).where('project_id', '=', projectId).executeTakeFirst();
  return row ? agentFromRow(row) : null;
}

/** The project's agents in registration order; with `machineId`, only those on that host. */
export async function listAgents(db: Kysely<Database>, projectId: string, machineId?: string): Promise<Agent[]> {
  const rows = await db.selectFrom('agents').selectAll().where('project_id', '=', projectId).orderBy('seq', 'asc').execute();
  return rows.map(agentFromRow).filter((agent) => machineId === undefined || agent.host.machine.id === machineId);
}
