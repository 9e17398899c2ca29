import type { Urls } from '../../server/links.js';
import type { Webhook } from './webhook.js';

export function presentWebhook(webhook: Webhook, urls: Urls, showSecret: boolean) {
  return {
    id: webhook.id,
    project_id: webhook.projectId,
    url: webhook.url,
    event_types: webhook.eventTypes,
    ...(showSecret ? { secret: webhook.secret } : {}),
    enabled: webhook.enabled,
    created_time: webhook.createdAt,
    updated_time: webhook.updatedAt,
    links: [urls.link('self', 'webhooks', webhook.id), urls.link('deliveries', 'webhooks', webhook.id, 'deliveries'), urls.link('test', 'webhooks', webhook.id, 'test')],
  };
}
