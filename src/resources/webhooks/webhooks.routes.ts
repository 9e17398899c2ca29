import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../server/context.js';
import { v2Scope } from '../../server/request-scope.js';
import { deliveryPage } from '../deliveries/deliveries.routes.js';
import { EVENT_TYPES } from '../notifications/event-types.js';
import { createWebhook } from './webhook-create.action.js';
import { fetchWebhook, listWebhooks } from './webhook.fetcher.js';
import { parseWebhookCreate, parseWebhookUpdate } from './webhook.message.js';
import { assertMayManageWebhooks, assertMayReadWebhooks, maySeeSecret } from './webhook.permission.js';
import { presentWebhook } from './webhook.presenter.js';
import { sendTestDelivery } from './webhook-test.action.js';
import { deleteWebhook, updateWebhook } from './webhook-update.action.js';

const tags = ['webhooks'];
const Fields = {
  url: Type.String({ description: 'http(s) URL that receives a signed POST per event' }),
  event_types: Type.Array(Type.String({ enum: [...EVENT_TYPES] })),
  secret: Type.String({ minLength: 16, description: 'HMAC-SHA256 key, at least 16 bytes; generated when omitted' }),
  enabled: Type.Boolean(),
};
const CreateBody = Type.Object({ url: Fields.url, event_types: Fields.event_types, secret: Type.Optional(Fields.secret), enabled: Type.Optional(Fields.enabled) });
const UpdateBody = Type.Object({
  url: Type.Optional(Fields.url),
  event_types: Type.Optional(Fields.event_types),
  secret: Type.Optional(Fields.secret),
  enabled: Type.Optional(Fields.enabled),
});

const webhookId = (request: FastifyRequest) => (request.params as { webhook_id: string }).webhook_id;

/** Webhooks of a project: creators and admins manage them, observers read them without the secret. */
export async function webhookRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.post('/v2/:project_id/webhooks', { schema: { tags, summary: 'Create a webhook', body: CreateBody }, attachValidation: true }, async (request, reply) => {
    const scope = v2Scope(request, ctx);
    const message = parseWebhookCreate(request.body);
    assertMayManageWebhooks(scope.caller);
    const webhook = await createWebhook(ctx, scope.projectId, message);
    return reply
      .code(201)
      .header('location', scope.urls.v2('webhooks', webhook.id))
      .send(presentWebhook(webhook, scope.urls, true));
  });

  app.get('/v2/:project_id/webhooks', { schema: { tags, summary: 'List the webhooks of the project' } }, async (request) => {
    const scope = v2Scope(request, ctx);
    assertMayReadWebhooks(scope.caller);
    const showSecret = maySeeSecret(scope.caller);
    return { webhooks: (await listWebhooks(ctx.store.db, scope.projectId)).map((w) => presentWebhook(w, scope.urls, showSecret)), event_types: EVENT_TYPES };
  });

  app.get('/v2/:project_id/webhooks/:webhook_id', { schema: { tags, summary: 'Webhook details' } }, async (request) => {
    const scope = v2Scope(request, ctx);
    const webhook = await fetchWebhook(ctx.store.db, scope.projectId, webhookId(request));
    assertMayReadWebhooks(scope.caller);
    return presentWebhook(webhook, scope.urls, maySeeSecret(scope.caller));
  });

  app.patch(
    '/v2/:project_id/webhooks/:webhook_id',
    { schema: { tags, summary: 'Change a webhook (a JSON object of the fields to change)', body: UpdateBody }, attachValidation: true },
    async (request) => {
      const scope = v2Scope(request, ctx);
      const webhook = await fetchWebhook(ctx.store.db, scope.projectId, webhookId(request));
      const message = parseWebhookUpdate(request.body);
      assertMayManageWebhooks(scope.caller);
      return presentWebhook(await updateWebhook(ctx, webhook, message), scope.urls, true);
    },
  );

  app.delete('/v2/:project_id/webhooks/:webhook_id', { schema: { tags, summary: 'Delete a webhook and its deliveries' } }, async (request, reply) => {
    const scope = v2Scope(request, ctx);
    const webhook = await fetchWebhook(ctx.store.db, scope.projectId, webhookId(request));
    assertMayManageWebhooks(scope.caller);
    await deleteWebhook(ctx, webhook);
    return reply.code(204).send();
  });

  app.post('/v2/:project_id/webhooks/:webhook_id/test', { schema: { tags, summary: 'Queue a signed webhook.test delivery to this webhook' } }, async (request, reply) => {
    const scope = v2Scope(request, ctx);
    const webhook = await fetchWebhook(ctx.store.db, scope.projectId, webhookId(request));
    assertMayManageWebhooks(scope.caller);
    const id = await sendTestDelivery(ctx, webhook, scope.caller.kind === 'agent' ? 'agent' : scope.caller.username);
    return reply
      .code(202)
      .header('location', scope.urls.v2('deliveries', id))
      .send({ delivery_id: id, links: [scope.urls.link('delivery', 'deliveries', id)] });
  });

  app.get('/v2/:project_id/webhooks/:webhook_id/deliveries', { schema: { tags, summary: 'The last deliveries of a webhook, newest first' } }, async (request) => {
    const scope = v2Scope(request, ctx);
    const webhook = await fetchWebhook(ctx.store.db, scope.projectId, webhookId(request));
    assertMayReadWebhooks(scope.caller);
    return deliveryPage(ctx, request, scope, scope.urls.v2('webhooks', webhook.id, 'deliveries'), { webhookId: webhook.id });
  });
}
