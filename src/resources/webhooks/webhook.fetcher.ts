import type { Kysely } from 'kysely';
import { notFound } from '../../errors/app-error.js';
import type { Database } from '../../store/database.js';
import { webhookFromRow, type Webhook } from './webhook.js';

/** A webhook of the project; another project's is 404. */
export async function fetchWebhook(db: Kysely<Database>, projectId: string, id: string): Promise<Webhook> {
  const row = await db.selectFrom('webhooks').selectAll().where('id', '=', id).where('project_id', '=', projectId).executeTakeFirst();
  if (!row) throw notFound(`Webhook ${id} not found.`);
  return webhookFromRow(row);
}

export async function listWebhooks(db: Kysely<Database>, projectId: string): Promise<Webhook[]> {
  const rows = await db.selectFrom('webhooks').selectAll().where('project_id', '=', projectId).orderBy('seq').execute();
  return rows.map(webhookFromRow);
}
