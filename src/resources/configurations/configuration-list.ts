import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.js';
import { loadRestorability, restorableCondition } from '../backups/backup-restorable.js';
import { configurationFromRow, type Configuration } from './configuration.js';

export interface ConfigurationListOptions {
  projectId: string;
  agentId?: string;
  /** Only configurations that have at least one restorable backup. */
  restorable?: boolean;
  now: Date;
}

/** Not paginated (§1.6): every configuration of the project or agent that is not deleted, oldest first. */
export async function listConfigurations(db: Kysely<Database>, options: ConfigurationListOptions): Promise<Configuration[]> {
  let query = db.selectFrom('configurations').selectAll().where('project_id', '=', options.projectId).where('deleted', '=', 0);
  if (options.agentId !== undefined) query = query.where('agent_id', '=', options.agentId);
  if (options.restorable) {
    const condition = restorableCondition(await loadRestorability(db, options.projectId, options.now));
    if (condition === null) return [];
    const withBackups = db.selectFrom('jobs').select('jobs.configuration_id').where('jobs.project_id', '=', options.projectId).where(condition);
    query = query.where('id', 'in', withBackups.$narrowType<{ configuration_id: string }>());
  }
  const rows = await query.orderBy('seq', 'asc').execute();
  return rows.map(configurationFromRow);
}
