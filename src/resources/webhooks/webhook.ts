import type { Selectable } from 'kysely';
import type { WebhooksTable } from '../../store/alert-tables.js';

export interface Webhook {
  id: string;
  projectId: string;
  url: string;
  eventTypes: string[];
  secret: string;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export function webhookFromRow(row: Selectable<WebhooksTable>): Webhook {
  return {
    id: row.id,
    projectId: row.project_id,
    url: row.url,
    eventTypes: JSON.parse(row.event_types),
    secret: row.secret,
    enabled: row.enabled === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
