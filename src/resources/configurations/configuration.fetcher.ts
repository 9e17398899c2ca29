import type { Kysely } from 'kysely';
import { notFound } from '../../errors/app-error.js';
import type { Database } from '../../store/database.js';
import { configurationFromRow, type Configuration } from './configuration.js';

/** A configuration of the caller's project (deleted ones included: they still read as `deleted: true`). */
export async function fetchConfiguration(db: Kysely<Database>, projectId: string, id: string): Promise<Configuration> {
  const row = await db.selectFrom('configurations').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || row.project_id !== projectId) throw notFound('Configuration not found.');
  return configurationFromRow(row);
}

export async function findConfiguration(db: Kysely<Database>, projectId: string, id: string): Promise<Configuration | null> {
  const row = await db.selectFrom('configurations').selectAll().where('id', '=', id).where('project_id', '=', projectId).executeTakeFirst();
  return row ? configurationFromRow(row) : null;
}
