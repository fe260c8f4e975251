import { newSubscriptionSchema } from '../../shared/domain/webhooks.ts';
import { getHeader, httpHandler, json, jsonBody, parse, type HttpEvent } from '../../shared/http/api.ts';
import {
  createSubscription,
  deleteSubscription,
  deliveryListQuery,
  deliveryPage,
  retryDelivery,
  subscriptionListQuery,
  subscriptionPage,
  subscriptionView,
} from '../../shared/services/webhooks.ts';

const at = (event: HttpEvent) => new Date(event.requestContext.timeEpoch);
const id = (event: HttpEvent) => event.pathParameters?.id ?? '';

/** Admin API: webhook subscriptions and their deliveries (the dead letters, and redelivering one). */
export const handler = httpHandler({
  'POST /subscriptions': async (event) => {
    const input = parse(newSubscriptionSchema, jsonBody(event));
    const { subscription, secret, created } = await createSubscription(input, getHeader(event, 'idempotency-key'), at(event));
    // The signing secret is in this answer (and a replay of this request) only: no read shows it again.
    return json(created ? 201 : 200, { ...subscription, secret });
  },
  'GET /subscriptions': async (event) => json(200, await subscriptionPage(parse(subscriptionListQuery, event.queryStringParameters ?? {}))),
  'GET /subscriptions/{id}': async (event) => json(200, await subscriptionView(id(event))),
  'DELETE /subscriptions/{id}': async (event) => json(200, await deleteSubscription(id(event), at(event))),
  'GET /subscriptions/{id}/deliveries': async (event) =>
    json(200, await deliveryPage(id(event), parse(deliveryListQuery, event.queryStringParameters ?? {}))),
  'POST /subscriptions/{id}/deliveries/{eventId}/retry': async (event) =>
    json(202, await retryDelivery(id(event), event.pathParameters?.eventId ?? '', at(event))),
});
