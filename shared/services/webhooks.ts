/**
 * Signed webhooks to subscribers (Standard Webhooks): subscriptions (staff create, list, delete them), one delivery
 * per (subscription, event) made when the outbox relay has published the event, the worker that POSTs each attempt,
 * the sweep that re-queues due retries, and the staff retry of a dead letter.
 *
 * A delivery's life: `pending` (queued at once; each failed attempt waits the schedule's next delay) → `delivered` on
 * a 2xx, or `failed` after the schedule's last attempt (the dead letter, listed for staff, who may retry it: a new
 * round) — or `cancelled` when its subscription was deleted before it went out. Every attempt is recorded (status code,
 * duration, error class, a short snippet of the answer).
 *
 * At least once: a worker that dies after the subscriber answered but before recording it leaves the delivery leased;
 * once the lease ends the sweep queues it again, and the subscriber gets the same `webhook-id` twice (Standard
 * Webhooks asks subscribers to de-duplicate on it). Never twice at once: an attempt needs the lease.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { enqueue, enqueueAll } from '../adapters/queue.ts';
import { postWebhook } from '../adapters/webhook-http.ts';
import { webhookAllowLoopback, webhookRetrySchedule } from '../config/runtime.ts';
import type { EventEnvelope } from '../domain/events/envelope.ts';
import {
  attemptOutcome,
  DELIVERY_STATUSES,
  keptAttempts,
  signingSecret,
  subscribesTo,
  urlProblem,
  type NewSubscription,
  type Subscription,
} from '../domain/webhooks.ts';
import { webhookHeaders } from '../domain/webhook-signature.ts';
import { errorForLog, logger } from '../logger.ts';
import { recordMetric } from '../metrics.ts';
import {
  activeSubscriptions,
  cancelDelivery,
  claimDelivery,
  createDelivery,
  deliveriesPage,
  deliveryView,
  dueDeliveries,
  getDelivery,
  getSubscription,
  getSubscriptionForReplay,
  markSubscriptionDeleted,
  putSubscription,
  recordAttempt,
  restartDelivery,
  subscriptionsPage,
  subscriptionWithSecret,
  takeDueDelivery,
  WEBHOOK_DUE_SHARDS,
  type Delivery,
  type StoredDelivery,
} from '../store/subscriptions.ts';
import { MAX_CURSOR_CHARS, cursorScope, decodeCursor, encodeCursor } from './cursor.ts';
import { Conflict, IdempotencyKeyReused, Invalid, NotFound } from './errors.ts';
import { replayed, requestHash } from './idempotency.ts';
import { newId, stableId } from './ids.ts';

/** An attempt's deadline: connecting, sending and the subscriber's answer (Standard Webhooks suggests 15 s at most). */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** How long a claimed attempt holds its delivery: beyond the worker's timeout, so a live attempt is never doubled. */
export const LEASE_SECONDS = 120;
/** When the sweep may queue a delivery again after it (or the enqueue) queued it: the message was lost. */
export const REQUEUE_AFTER_SECONDS = 300;
/** SQS delays a message at most 15 minutes: shorter retries ride a delayed message, longer ones the sweep. */
const MAX_QUEUE_DELAY_SECONDS = 900;
/** Deliveries the sweep queues per shard and run; a backlog beyond that is the next minute's. */
const SWEEP_LIMIT_PER_SHARD = 250;
/** Deliveries written at once when an event fans out to many subscriptions. */
const WRITE_CONCURRENCY = 10;

/** The message on the `webhooks` queue: attempt `attempt` of round `round` of one delivery. */
export const webhookMessageSchema = z
  .object({
    subscriptionId: z.string().min(1).max(100),
    eventId: z.string().min(1).max(100),
    round: z.number().int().min(1),
    attempt: z.number().int().min(1),
  })
  .strict();
export type WebhookMessage = z.infer<typeof webhookMessageSchema>;

/** GET /subscriptions. */
export const subscriptionListQuery = z
  .object({
    status: z.enum(['active', 'deleted']).default('active').describe('active (the default) or deleted'),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.string().max(MAX_CURSOR_CHARS).optional(),
  })
  .strict();

/** GET /subscriptions/{id}/deliveries. */
export const deliveryListQuery = z
  .object({
    status: z.enum(DELIVERY_STATUSES).optional().describe('failed: the dead letters; pending, delivered, cancelled; all when absent'),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.string().max(MAX_CURSOR_CHARS).optional(),
  })
  .strict();

const rules = () => ({ allowLoopback: webhookAllowLoopback() });

// ---- Subscriptions (staff) ----------------------------------------------------------------------------------------

/**
 * Creates a subscription with a new signing secret (`whsec_` + 32 random bytes, base64), returned here and on a replay
 * of the same request (the same Idempotency-Key and body) — never by any read. With an Idempotency-Key the id derives
 * from the key, so a retried request finds its first result; the same key with another body is a 409.
 */
export async function createSubscription(
  input: NewSubscription,
  idempotencyKey: string | undefined,
  now: Date,
): Promise<{ subscription: Subscription; secret: string; created: boolean }> {
  const problem = urlProblem(input.url, rules());
  if (problem) throw new Invalid('url', problem);
  const id = idempotencyKey ? stableId('whs', `subscription:${idempotencyKey}`) : newId('whs');
  const hash = requestHash(input);
  if (idempotencyKey) {
    const existing = await getSubscriptionForReplay(id);
    if (existing) return { ...replayed(existing, hash), created: false };
  }
  const subscription: Subscription = {
    id,
    url: input.url,
    types: input.types,
    ...(input.description !== undefined ? { description: input.description } : {}),
    status: 'active',
    createdAt: now.toISOString(),
  };
  const secret = signingSecret(randomBytes(32));
  if ((await putSubscription(subscription, secret, hash)) === 'created') {
    logger.info('webhook subscription created', { subscriptionId: id, types: subscription.types });
    return { subscription, secret, created: true };
  }
  // Another request with the same key got there first.
  const existing = await getSubscriptionForReplay(id);
  if (!existing) throw new IdempotencyKeyReused();
  return { ...replayed(existing, hash), created: false };
}

export async function subscriptionView(id: string): Promise<Subscription> {
  const subscription = await getSubscription(id);
  if (!subscription) throw new NotFound(`subscription ${id} not found`);
  return subscription;
}

export async function subscriptionPage(q: z.infer<typeof subscriptionListQuery>) {
  const scope = cursorScope('GET /subscriptions', { status: q.status });
  const page = await subscriptionsPage(q.status, q.limit, await decodeCursor(scope, q.cursor));
  return { items: page.items, nextCursor: await encodeCursor(scope, page.lastKey) };
}

/**
 * Deletes a subscription: no delivery is made for it from now on, and its pending ones are cancelled when they come
 * up (the worker reads the subscription before every attempt). Deleting it again answers the same.
 */
export async function deleteSubscription(id: string, now: Date): Promise<Subscription> {
  const subscription = await markSubscriptionDeleted(id, now);
  if (!subscription) throw new NotFound(`subscription ${id} not found`);
  logger.info('webhook subscription deleted', { subscriptionId: id });
  return subscription;
}

/** A subscription's deliveries, by status (`failed`: the dead letters), oldest first within a status. */
export async function deliveryPage(subscriptionId: string, q: z.infer<typeof deliveryListQuery>) {
  await subscriptionView(subscriptionId);
  const scope = cursorScope('GET /subscriptions/{id}/deliveries', { id: subscriptionId, status: q.status });
  const page = await deliveriesPage(subscriptionId, q.status, q.limit, await decodeCursor(scope, q.cursor));
  return { items: page.items, nextCursor: await encodeCursor(scope, page.lastKey) };
}

/**
 * Staff redeliver one event: a dead letter (`failed`) — or a delivered event the subscriber lost — starts a new round
 * at once, with the whole retry schedule ahead of it. A delivery already pending is left as it is (it is on its way).
 * The subscription must still be active.
 */
export async function retryDelivery(subscriptionId: string, eventId: string, now: Date): Promise<Delivery> {
  const subscription = await subscriptionView(subscriptionId);
  const delivery = await getDelivery({ subscriptionId, eventId });
  if (!delivery) throw new NotFound(`delivery of ${eventId} to subscription ${subscriptionId} not found`);
  if (subscription.status !== 'active') throw new Conflict('subscription_deleted', `subscription ${subscriptionId} is deleted; nothing is delivered to it`);
  if (delivery.status === 'pending') return deliveryView(delivery);
  const restarted = await restartDelivery(delivery, now, after(now, REQUEUE_AFTER_SECONDS));
  if (!restarted) return deliveryView((await getDelivery({ subscriptionId, eventId })) as StoredDelivery); // another retry won
  await enqueue('webhooks', message(restarted));
  logger.info('webhook delivery retried by staff', { subscriptionId, eventId, round: restarted.round });
  return deliveryView(restarted);
}

// ---- Fan-out (the outbox relay) -----------------------------------------------------------------------------------

/**
 * Called by the outbox relay once events are published: records one delivery per (active subscription whose types
 * match, event) — idempotent, so an event published twice is delivered once per subscriber — and queues each new one
 * for the worker. The number of deliveries made. A crash between recording and queueing is repaired by the sweep
 * (a new delivery is due REQUEUE_AFTER_SECONDS after it was recorded).
 */
export async function enqueueDeliveries(events: readonly EventEnvelope[], now: Date): Promise<number> {
  if (events.length === 0) return 0;
  const subscriptions = await activeSubscriptions();
  const work = events.flatMap((event) => subscriptions.filter((s) => subscribesTo(s, event.type)).map((s) => ({ s, event })));
  if (work.length === 0) return 0;
  const createdAt = now.toISOString();
  const dueAt = after(now, REQUEUE_AFTER_SECONDS);
  const made: WebhookMessage[] = [];
  for (let i = 0; i < work.length; i += WRITE_CONCURRENCY) {
    const chunk = work.slice(i, i + WRITE_CONCURRENCY);
    const results = await Promise.all(
      chunk.map(({ s, event }) =>
        createDelivery({ subscriptionId: s.id, eventId: event.id, eventType: event.type, body: JSON.stringify(event), createdAt }, dueAt),
      ),
    );
    chunk.forEach(({ s, event }, n) => {
      if (results[n]) made.push({ subscriptionId: s.id, eventId: event.id, round: 1, attempt: 1 });
    });
  }
  await enqueueAll('webhooks', made);
  return made.length;
}

// ---- The worker ---------------------------------------------------------------------------------------------------

export type DeliveryResult = 'delivered' | 'retrying' | 'failed' | 'cancelled' | 'skipped';

/**
 * One queued attempt: claims the delivery for it (a duplicate message, a stale one, or one racing a live attempt
 * finds nothing to claim: 'skipped'), reads the subscription (deleted: 'cancelled'), POSTs the event signed for this
 * attempt, and records the outcome — the next attempt queued with a delay when SQS can hold it (up to 15 min), else
 * left to the sweep. `clock` is the wall clock: `webhook-timestamp` must be the attempt's real time.
 */
export async function deliverMessage(msg: WebhookMessage, clock: () => Date = () => new Date()): Promise<DeliveryResult> {
  const key = { subscriptionId: msg.subscriptionId, eventId: msg.eventId };
  const claimedAt = clock();
  const token = randomUUID();
  const claimed = await claimDelivery(key, msg, { token, until: after(claimedAt, LEASE_SECONDS) }, claimedAt);
  if (!claimed) return 'skipped';
  const found = await subscriptionWithSecret(msg.subscriptionId);
  if (!found || found.subscription.status !== 'active') {
    await cancelDelivery(claimed, token, claimedAt);
    logger.info('webhook delivery cancelled: subscription deleted', { ...key });
    return 'cancelled';
  }
  const started = clock();
  const timestamp = Math.floor(started.getTime() / 1000);
  const result = await postWebhook({
    url: found.subscription.url,
    headers: webhookHeaders(found.secret, claimed.eventId, timestamp, claimed.body),
    body: claimed.body,
    timeoutMs: DELIVERY_TIMEOUT_MS,
    rules: rules(),
  });
  const outcome = attemptOutcome(started, result, msg, webhookRetrySchedule());
  const log = { ...key, eventType: claimed.eventType, round: msg.round, attempt: msg.attempt, statusCode: result.statusCode, error: outcome.attempt.error, durationMs: result.durationMs };
  if (!(await recordAttempt(claimed, token, outcome, keptAttempts(claimed.attemptLog, outcome.attempt)))) {
    logger.warn('webhook attempt not recorded: its lease ran out', log);
    return 'skipped';
  }
  if (outcome.status === 'delivered') {
    logger.info('webhook delivered', log);
    return 'delivered';
  }
  recordMetric('WebhookDeliveriesFailed');
  if (outcome.status === 'failed') {
    recordMetric('WebhookDeliveriesDeadLettered');
    logger.warn('webhook delivery dead-lettered', log);
    return 'failed';
  }
  logger.info('webhook attempt failed; retrying', { ...log, nextAttemptAt: outcome.nextAttemptAt });
  if (outcome.delaySeconds <= MAX_QUEUE_DELAY_SECONDS) {
    try {
      await enqueue('webhooks', { ...key, round: msg.round, attempt: msg.attempt + 1 }, { delaySeconds: outcome.delaySeconds });
    } catch (error) {
      // The attempt is recorded and the delivery is due in the index: the sweep queues it instead.
      logger.warn('webhook retry not queued; the sweep will', { ...key, error: errorForLog(error) });
    }
  }
  return 'retrying';
}

// ---- The sweep ----------------------------------------------------------------------------------------------------

/**
 * The retry sweep (every minute; `now` is the schedule's time): queues every pending delivery due by `now` — retries
 * whose delay was too long for a delayed message, and deliveries whose message was lost or whose worker died
 * mid-attempt (lease ended). Each is taken with a condition (pushed REQUEUE_AFTER_SECONDS ahead in the index), so two
 * sweeps never queue one twice.
 */
export async function sweepDueDeliveries(now: Date): Promise<{ queued: number }> {
  const until = after(now, REQUEUE_AFTER_SECONDS);
  let queued = 0;
  for (let shard = 0; shard < WEBHOOK_DUE_SHARDS; shard++) {
    const due = await dueDeliveries(shard, now, SWEEP_LIMIT_PER_SHARD);
    const taken: WebhookMessage[] = [];
    for (const d of due) if (await takeDueDelivery(d, until)) taken.push(message(d));
    await enqueueAll('webhooks', taken);
    queued += taken.length;
  }
  if (queued > 0) logger.info('webhook retries queued', { now: now.toISOString(), queued });
  return { queued };
}

/** The message for a pending delivery's next attempt. */
function message(d: Pick<StoredDelivery, 'subscriptionId' | 'eventId' | 'round' | 'attempts'>): WebhookMessage {
  return { subscriptionId: d.subscriptionId, eventId: d.eventId, round: d.round, attempt: d.attempts + 1 };
}

function after(now: Date, seconds: number): string {
  return new Date(now.getTime() + seconds * 1000).toISOString();
}
