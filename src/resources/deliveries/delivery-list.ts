import type { Kysely } from 'kysely';
import { notFound } from '../../errors/app-error.js';
import type { Database } from '../../store/database.js';
import { unknownMarker, type PageQuery } from '../common/v2-pagination.js';
import type { AttemptRow, DeliveryRow } from './delivery.js';

export interface DeliveryFilter {
  channel?: string;
  webhookId?: string;
  state?: string;
}

/** One keyset page of a project's deliveries, newest first by default. */
export async function listDeliveries(db: Kysely<Database>, projectId: string, page: PageQuery, filter: DeliveryFilter): Promise<{ deliveries: DeliveryRow[]; hasMore: boolean }> {
  let query = db.selectFrom('deliveries').selectAll().where('project_id', '=', projectId);
  if (filter.channel) query = query.where('channel', '=', filter.channel);
  if (filter.webhookId) query = query.where('webhook_id', '=', filter.webhookId);
  if (filter.state) query = query.where('state', '=', filter.state);
  if (page.marker !== undefined) {
    const marker = await db.selectFrom('deliveries').select('seq').where('id', '=', page.marker).where('project_id', '=', projectId).executeTakeFirst();
    if (!marker) throw unknownMarker(page.marker);
    query = query.where('seq', page.sortDir === 'asc' ? '>' : '<', marker.seq);
  }
  const rows = await query
    .orderBy('seq', page.sortDir)
    .limit(page.limit + 1)
    .execute();
  return { deliveries: rows.slice(0, page.limit), hasMore: rows.length > page.limit };
}

export async function fetchDelivery(db: Kysely<Database>, projectId: string, id: string): Promise<{ delivery: DeliveryRow; attempts: AttemptRow[] }> {
  const delivery = await db.selectFrom('deliveries').selectAll().where('id', '=', id).where('project_id', '=', projectId).executeTakeFirst();
  if (!delivery) throw notFound(`Delivery ${id} not found.`);
  const attempts = await db.selectFrom('delivery_attempts').selectAll().where('delivery_id', '=', id).orderBy('attempt').execute();
  return { delivery, attempts };
}
