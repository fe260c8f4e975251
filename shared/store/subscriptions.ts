/**
 * Webhook subscriptions and their deliveries (docs/data-model.md, "Webhooks").
 *
 *   Subscription  PK `SUBSCRIPTION#<id>` / `SUBSCRIPTION`; GSI3 `SUBSCRIPTION_STATUS#<status>` / `<createdAt>#<id>`.
 *                 Carries its signing secret (`secret`), which only `subscriptionWithSecret` (the delivery worker)
 *                 and the create's replay read; every other read leaves it out.
 *   Delivery      PK `WEBHOOK_DELIVERY#<subscriptionId>#<eventId>` / `DELIVERY`, put once (conditional), so an event
 *                 published twice is delivered once per subscription. GSI1 `SUBSCRIPTION#<id>` /
 *                 `DELIVERY#<status>#<createdAt>#<eventId>` lists a subscription's deliveries by status (the dead
 *                 letters for staff); GSI2 `WEBHOOK_DUE#<shard>` / `<dueAt>#…` (sparse, pending only) is when the
 *                 retry sweep should queue it next. Delivered and cancelled deliveries expire after 30 days (TTL);
 *                 dead letters stay until staff retry them.
 *
 * A worker claims a delivery for one attempt with a lease (a token and an expiry, conditional on the round and the
 * attempt number it was queued for), so a duplicate queue message, or the sweep racing a delayed message, never makes
 * a second attempt; the attempt is recorded only by the lease holder.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../adapters/aws.ts';
import type { EventType } from '../domain/events/envelope.ts';
import {
  deliveryShard,
  type Attempt,
  type AttemptOutcome,
  type DeliveryStatus,
  type Subscription,
  type SubscriptionStatus,
} from '../domain/webhooks.ts';
import { keys } from './keys.ts';
import { entity, ifWritten, queryAll, queryPage, tableName, type Replayable } from './table.ts';

/** Shards of the due index: the sweep reads each one's due slice (no single hot index partition). */
export const WEBHOOK_DUE_SHARDS = 4;
/** Delivered and cancelled deliveries are kept this long (then TTL): re-publications come within minutes. */
const KEEP_DONE_SECONDS = 30 * 24 * 3600;

// ---- Subscriptions ------------------------------------------------------------------------------------------------

function subscriptionOf(item: Record<string, unknown> | undefined): Subscription | undefined {
  const all = entity<Subscription & { secret?: string; requestHash?: string }>(item);
  if (!all) return undefined;
  const { secret: _secret, requestHash: _hash, ...subscription } = all;
  return subscription;
}

/** Writes a new subscription with its secret; 'exists' when the id is taken (an Idempotency-Key replay). */
export async function putSubscription(subscription: Subscription, secret: string, requestHash: string): Promise<'created' | 'exists'> {
  const written = await ifWritten(
    dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...keys.subscription(subscription.id),
          ...keys.subscriptionByStatus(subscription.status, subscription.createdAt, subscription.id),
          entity: 'subscription',
          ...subscription,
          secret,
          requestHash,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    ),
  );
  return written ? 'created' : 'exists';
}

async function subscriptionItem(id: string): Promise<Record<string, unknown> | undefined> {
  const out = await dynamo().send(new GetCommand({ TableName: tableName(), Key: keys.subscription(id), ConsistentRead: true }));
  return out.Item;
}

/** A subscription as staff see it (no secret). */
export async function getSubscription(id: string): Promise<Subscription | undefined> {
  return subscriptionOf(await subscriptionItem(id));
}

/** The subscription with its secret, for the delivery worker's signature. */
export async function subscriptionWithSecret(id: string): Promise<{ subscription: Subscription; secret: string } | undefined> {
  const item = await subscriptionItem(id);
  const subscription = subscriptionOf(item);
  return subscription && item ? { subscription, secret: String(item.secret) } : undefined;
}

/** For replaying a create (the same Idempotency-Key): the subscription, its secret, and the hash of the first request. */
export async function getSubscriptionForReplay(id: string): Promise<Replayable<{ subscription: Subscription; secret: string }> | undefined> {
  const item = await subscriptionItem(id);
  const subscription = subscriptionOf(item);
  if (!subscription || !item) return undefined;
  return { entity: { subscription, secret: String(item.secret) }, ...(typeof item.requestHash === 'string' ? { requestHash: item.requestHash } : {}) };
}

/** Every active subscription (GSI3; a handful, so all pages). */
export async function activeSubscriptions(): Promise<Subscription[]> {
  const items = await queryAll({
    TableName: tableName(),
    IndexName: 'GSI3',
    KeyConditionExpression: 'GSI3PK = :pk',
    ExpressionAttributeValues: { ':pk': `SUBSCRIPTION_STATUS#active` },
  });
  return items.map((i) => subscriptionOf(i) as Subscription);
}

/** One page of the subscriptions with a status, oldest first. */
export async function subscriptionsPage(
  status: SubscriptionStatus,
  limit: number,
  startKey?: Record<string, unknown>,
): Promise<{ items: Subscription[]; lastKey?: Record<string, unknown> }> {
  const page = await queryPage(
    { TableName: tableName(), IndexName: 'GSI3', KeyConditionExpression: 'GSI3PK = :pk', ExpressionAttributeValues: { ':pk': `SUBSCRIPTION_STATUS#${status}` } },
    limit,
    startKey,
  );
  return { items: page.items.map((i) => subscriptionOf(i) as Subscription), ...(page.lastKey ? { lastKey: page.lastKey } : {}) };
}

/**
 * Deletes a subscription: it becomes `deleted` (kept, with its deliveries, for staff to read) and leaves the active
 * listing, so no new delivery is made for it. The subscription as it is afterwards; undefined when there is none.
 */
export async function markSubscriptionDeleted(id: string, now: Date): Promise<Subscription | undefined> {
  const out = await ifWritten(
    dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.subscription(id),
        UpdateExpression: 'SET #s = :deleted, deletedAt = :now, GSI3PK = :pk',
        ConditionExpression: 'attribute_exists(PK) AND #s = :active',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':deleted': 'deleted', ':active': 'active', ':now': now.toISOString(), ':pk': 'SUBSCRIPTION_STATUS#deleted' },
        ReturnValues: 'ALL_NEW',
      }),
    ),
  );
  // Not written: deleted before (the same answer again), or no such subscription.
  return out ? subscriptionOf(out.Attributes) : getSubscription(id);
}

// ---- Deliveries ---------------------------------------------------------------------------------------------------

/** A delivery as staff see it. */
export interface Delivery {
  subscriptionId: string;
  eventId: string;
  eventType: EventType;
  status: DeliveryStatus;
  /** 1, then one more for each staff retry; `attempts` counts the current round's attempts. */
  round: number;
  attempts: number;
  createdAt: string;
  nextAttemptAt?: string;
  deliveredAt?: string;
  failedAt?: string;
  cancelledAt?: string;
  attemptLog: Attempt[];
}

/** The stored delivery: the exact body every attempt sends, and the worker's lease while an attempt runs. */
export interface StoredDelivery extends Delivery {
  body: string;
  shard: number;
  dueAt?: string;
  leaseToken?: string;
  leaseUntil?: string;
}

export interface DeliveryKey {
  subscriptionId: string;
  eventId: string;
}

const dueKey = (d: Pick<StoredDelivery, 'shard' | 'subscriptionId' | 'eventId'>, at: string) => keys.deliveryDue(d.shard, at, d.subscriptionId, d.eventId);
const listingSk = (d: Pick<StoredDelivery, 'subscriptionId' | 'eventId' | 'createdAt'>, status: DeliveryStatus) =>
  keys.deliveryBySubscription(d.subscriptionId, status, d.createdAt, d.eventId).GSI1SK;
const expiry = (at: string) => Math.floor(Date.parse(at) / 1000) + KEEP_DONE_SECONDS;

function storedDelivery(item: Record<string, unknown> | undefined): StoredDelivery | undefined {
  return entity<StoredDelivery & { expiresAt?: number }>(item);
}

/** A delivery without what only the worker needs (body, shard, lease). */
export function deliveryView(d: StoredDelivery): Delivery {
  const { body: _b, shard: _s, dueAt: _d, leaseToken: _t, leaseUntil: _u, expiresAt: _e, ...view } = d as StoredDelivery & { expiresAt?: number };
  return view;
}

/**
 * Records a new delivery, pending, in the due index at `dueAt` (the safety net should the queue message that is
 * sent next be lost). False when it exists already: the event was delivered (or is being delivered) to this
 * subscription before.
 */
export async function createDelivery(
  fields: { subscriptionId: string; eventId: string; eventType: EventType; body: string; createdAt: string },
  dueAt: string,
): Promise<boolean> {
  const delivery: StoredDelivery = {
    ...fields,
    status: 'pending',
    round: 1,
    attempts: 0,
    nextAttemptAt: fields.createdAt,
    attemptLog: [],
    shard: deliveryShard(fields.subscriptionId, fields.eventId, WEBHOOK_DUE_SHARDS),
    dueAt,
  };
  const written = await ifWritten(
    dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...keys.webhookDelivery(delivery.subscriptionId, delivery.eventId),
          ...keys.deliveryBySubscription(delivery.subscriptionId, 'pending', delivery.createdAt, delivery.eventId),
          ...dueKey(delivery, dueAt),
          entity: 'webhook_delivery',
          ...delivery,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    ),
  );
  return written !== undefined;
}

export async function getDelivery(key: DeliveryKey): Promise<StoredDelivery | undefined> {
  const out = await dynamo().send(
    new GetCommand({ TableName: tableName(), Key: keys.webhookDelivery(key.subscriptionId, key.eventId), ConsistentRead: true }),
  );
  return storedDelivery(out.Item);
}

/**
 * Claims a pending delivery for attempt `attempt` of round `round`: only if it is still at that attempt and no live
 * lease holds it. The lease moves it in the due index to the lease's end, so a worker that dies mid-attempt leaves it
 * to the sweep. The delivery as claimed, or undefined (done already, another attempt's message, or leased).
 */
export async function claimDelivery(
  key: DeliveryKey,
  position: { round: number; attempt: number },
  lease: { token: string; until: string },
  now: Date,
): Promise<StoredDelivery | undefined> {
  const shard = deliveryShard(key.subscriptionId, key.eventId, WEBHOOK_DUE_SHARDS);
  const out = await ifWritten(
    dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.webhookDelivery(key.subscriptionId, key.eventId),
        UpdateExpression: 'SET leaseToken = :token, leaseUntil = :until, dueAt = :until, GSI2SK = :due',
        ConditionExpression: '#s = :pending AND #r = :round AND attempts = :made AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
        ExpressionAttributeNames: { '#s': 'status', '#r': 'round' },
        ExpressionAttributeValues: {
          ':token': lease.token,
          ':until': lease.until,
          ':due': dueKey({ ...key, shard }, lease.until).GSI2SK,
          ':pending': 'pending',
          ':round': position.round,
          ':made': position.attempt - 1,
          ':now': now.toISOString(),
        },
        ReturnValues: 'ALL_NEW',
      }),
    ),
  );
  return out ? storedDelivery(out.Attributes) : undefined;
}

/**
 * Records the attempt the lease holder made and its outcome: delivered (out of the due index; expires later), pending
 * (due again at the next attempt's time), or failed — the dead letter, listed for staff. False when the lease was lost
 * (it expired and another worker took the delivery): nothing is written.
 */
export async function recordAttempt(claimed: StoredDelivery, token: string, outcome: AttemptOutcome, log: Attempt[]): Promise<boolean> {
  const names: Record<string, string> = { '#s': 'status' };
  const values: Record<string, unknown> = { ':token': token, ':log': log, ':status': outcome.status, ':one': 1 };
  const set = ['#s = :status', 'attempts = attempts + :one', 'attemptLog = :log', 'GSI1SK = :listing'];
  const remove = ['leaseToken', 'leaseUntil'];
  values[':listing'] = listingSk(claimed, outcome.status);
  if (outcome.status === 'pending') {
    set.push('nextAttemptAt = :next', 'dueAt = :next', 'GSI2SK = :due');
    values[':next'] = outcome.nextAttemptAt;
    values[':due'] = dueKey(claimed, outcome.nextAttemptAt).GSI2SK;
  } else {
    set.push(outcome.status === 'delivered' ? 'deliveredAt = :at' : 'failedAt = :at');
    values[':at'] = outcome.at;
    remove.push('nextAttemptAt', 'dueAt', 'GSI2PK', 'GSI2SK');
    if (outcome.status === 'delivered') {
      set.push('expiresAt = :expires');
      values[':expires'] = expiry(outcome.at);
    }
  }
  const written = await ifWritten(
    dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.webhookDelivery(claimed.subscriptionId, claimed.eventId),
        UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
        ConditionExpression: 'leaseToken = :token',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    ),
  );
  return written !== undefined;
}

/** The lease holder found the subscription deleted: the delivery is cancelled (out of the due index; expires later). */
export async function cancelDelivery(claimed: StoredDelivery, token: string, now: Date): Promise<void> {
  // Not written: the lease was lost, and with it the delivery to whoever holds it now.
  await ifWritten(
    dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.webhookDelivery(claimed.subscriptionId, claimed.eventId),
        UpdateExpression: 'SET #s = :cancelled, cancelledAt = :now, GSI1SK = :listing, expiresAt = :expires REMOVE leaseToken, leaseUntil, nextAttemptAt, dueAt, GSI2PK, GSI2SK',
        ConditionExpression: 'leaseToken = :token',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: {
          ':cancelled': 'cancelled',
          ':now': now.toISOString(),
          ':listing': listingSk(claimed, 'cancelled'),
          ':expires': expiry(now.toISOString()),
          ':token': token,
        },
      }),
    ),
  );
}

/** Pending deliveries of one shard of the due index due by `now`, oldest first (at most `limit`). */
export async function dueDeliveries(shard: number, now: Date, limit: number): Promise<StoredDelivery[]> {
  const items = await queryAll(
    {
      TableName: tableName(),
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK <= :now',
      ExpressionAttributeValues: { ':pk': `WEBHOOK_DUE#${shard}`, ':now': `${now.toISOString()}#\uffff` },
      Limit: limit,
    },
    limit,
  );
  return items.slice(0, limit).map((i) => storedDelivery(i) as StoredDelivery);
}

/**
 * The sweep takes a due delivery to queue it: its due time moves to `until` (when the sweep may queue it again, should
 * that message be lost too), on condition that nobody moved it since the sweep read it. False when someone did.
 */
export async function takeDueDelivery(d: StoredDelivery, until: string): Promise<boolean> {
  const written = await ifWritten(
    dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.webhookDelivery(d.subscriptionId, d.eventId),
        UpdateExpression: 'SET dueAt = :until, GSI2SK = :due',
        ConditionExpression: '#s = :pending AND dueAt = :was AND #r = :round AND attempts = :made',
        ExpressionAttributeNames: { '#s': 'status', '#r': 'round' },
        ExpressionAttributeValues: {
          ':until': until,
          ':due': dueKey(d, until).GSI2SK,
          ':pending': 'pending',
          ':was': d.dueAt ?? '',
          ':round': d.round,
          ':made': d.attempts,
        },
      }),
    ),
  );
  return written !== undefined;
}

/**
 * A staff retry: a failed (or delivered) delivery starts a new round — pending again, its attempt count back to 0,
 * due at `dueAt` in the index (the safety net of the message queued next). Undefined when it is no longer in the
 * status it was read in (another retry got there first).
 */
export async function restartDelivery(d: StoredDelivery, now: Date, dueAt: string): Promise<StoredDelivery | undefined> {
  const out = await ifWritten(
    dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.webhookDelivery(d.subscriptionId, d.eventId),
        UpdateExpression:
          'SET #s = :pending, #r = :round, attempts = :zero, nextAttemptAt = :now, dueAt = :due, GSI1SK = :listing, GSI2PK = :duePk, GSI2SK = :dueSk ' +
          'REMOVE deliveredAt, failedAt, expiresAt',
        ConditionExpression: '#s = :was AND #r = :wasRound',
        ExpressionAttributeNames: { '#s': 'status', '#r': 'round' },
        ExpressionAttributeValues: {
          ':pending': 'pending',
          ':round': d.round + 1,
          ':zero': 0,
          ':now': now.toISOString(),
          ':due': dueAt,
          ':listing': listingSk(d, 'pending'),
          ':duePk': dueKey(d, dueAt).GSI2PK,
          ':dueSk': dueKey(d, dueAt).GSI2SK,
          ':was': d.status,
          ':wasRound': d.round,
        },
        ReturnValues: 'ALL_NEW',
      }),
    ),
  );
  return out ? storedDelivery(out.Attributes) : undefined;
}

/** One page of a subscription's deliveries (one status, or all), by status then creation time (GSI1). */
export async function deliveriesPage(
  subscriptionId: string,
  status: DeliveryStatus | undefined,
  limit: number,
  startKey?: Record<string, unknown>,
): Promise<{ items: Delivery[]; lastKey?: Record<string, unknown> }> {
  const page = await queryPage(
    {
      TableName: tableName(),
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :sk)',
      ExpressionAttributeValues: { ':pk': `SUBSCRIPTION#${subscriptionId}`, ':sk': status ? `DELIVERY#${status}#` : 'DELIVERY#' },
    },
    limit,
    startKey,
  );
  return { items: page.items.map((i) => deliveryView(storedDelivery(i) as StoredDelivery)), ...(page.lastKey ? { lastKey: page.lastKey } : {}) };
}
