import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { badRequest } from '../../errors/app-error.js';
import { requireLevel } from '../../server/caller.js';
import { assertMayListProject } from '../agents/agent.permission.js';
import type { AppContext } from '../../server/context.js';
import { v2Scope, type V2Scope } from '../../server/request-scope.js';
import { pageLinks, parsePageQuery, singleQueryValue } from '../common/v2-pagination.js';
import { DELIVERY_CHANNELS, DELIVERY_STATES } from './delivery.js';
import { fetchDelivery, listDeliveries, type DeliveryFilter } from './delivery-list.js';
import { presentDelivery } from './delivery.presenter.js';

const tags = ['notifications'];
const ListQuery = Type.Object(
  {
    marker: Type.Optional(Type.String()),
    limit: Type.Optional(Type.String()),
    sort_dir: Type.Optional(Type.String({ enum: ['asc', 'desc'] })),
    channel: Type.Optional(Type.String({ enum: [...DELIVERY_CHANNELS] })),
    state: Type.Optional(Type.String({ enum: [...DELIVERY_STATES] })),
  },
  { additionalProperties: true },
);

/** A page of deliveries (e-mails and webhook POSTs) for the list routes of deliveries and of one webhook. */
export async function deliveryPage(ctx: AppContext, request: FastifyRequest, scope: V2Scope, collectionUrl: string, filter: DeliveryFilter) {
  const query = request.query as Record<string, unknown>;
  const page = parsePageQuery(query, 'desc');
  const channel = singleQueryValue(query.channel, 'channel');
  const state = singleQueryValue(query.state, 'state');
  if (channel !== undefined && !(DELIVERY_CHANNELS as readonly string[]).includes(channel)) throw badRequest(`Invalid channel "${channel}": it must be email or webhook.`);
  if (state !== undefined && !(DELIVERY_STATES as readonly string[]).includes(state)) throw badRequest(`Invalid state "${state}": it must be one of ${DELIVERY_STATES.join(', ')}.`);
  const { deliveries } = await listDeliveries(ctx.store.db, scope.projectId, page, { channel, state, ...filter });
  const body: Record<string, unknown> = { deliveries: deliveries.map((d) => presentDelivery(d, scope.urls)) };
  if (deliveries.length > 0) body.links = pageLinks(collectionUrl, page, deliveries, { channel, state });
  return body;
}

export async function deliveryRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get('/v2/:project_id/deliveries', { schema: { tags, summary: 'E-mail and webhook deliveries of the project, newest first', querystring: ListQuery } }, async (request) => {
    const scope = v2Scope(request, ctx);
    requireLevel(scope.caller, 'observer');
    assertMayListProject(scope.caller, 'deliveries');
    return deliveryPage(ctx, request, scope, scope.urls.v2('deliveries'), {});
  });

  app.get('/v2/:project_id/deliveries/:delivery_id', { schema: { tags, summary: 'One delivery with every attempt' } }, async (request) => {
    const scope = v2Scope(request, ctx);
    const { delivery, attempts } = await fetchDelivery(ctx.store.db, scope.projectId, (request.params as { delivery_id: string }).delivery_id);
    requireLevel(scope.caller, 'observer');
    assertMayListProject(scope.caller, 'deliveries');
    return presentDelivery(delivery, scope.urls, attempts);
  });
}
