/**
 * The events outbox: one record per committed change, holding every event the change reports, written in the change's
 * own transaction (`outboxPut`) and published afterwards by the relay (shared/services/events.ts) — from the table's
 * stream, or by the sweep from the sparse pending index when the stream delivery was lost.
 *
 *   PK `OUTBOX#<id>`, SK `OUTBOX`                         the record: `events` (envelopes), `types`, `status`, `createdAt`
 *   GSI2 `OUTBOX#PENDING` / `<createdAt>#<id>`            sparse: only records not yet published (the sweep's work)
 *   GSI1 `CUSTOMER#<customerId>` / `OUTBOX#<createdAt>#<id>`  the events sent downstream about a customer (history)
 *
 * A record is marked published (leaving the pending index) only after its events were put on the bus and handed to
 * the webhook subscriptions, so a crash anywhere before that leaves it pending and it is published again: at least
 * once, always with the same envelope ids.
 *
 * Escalations written before the outbox existed (items `EVENT#<id>` under the customer, published inline by the
 * escalation run) are still listed in the customer's history; nothing writes them any more.
 */
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../adapters/aws.ts';
import { correlationId } from '../context.ts';
import type { EventEnvelope, EventType } from '../domain/events/envelope.ts';
import { keys } from './keys.ts';
import { customerItemsPage } from './customer-items.ts';
import { ifWritten, queryPage, tableName } from './table.ts';

/** The `entity` of an outbox record: the stream's filter (CDK and the local runtime) selects inserts of it. */
export const OUTBOX_ENTITY = 'outbox';
/** The sparse index partition of records not yet published. */
const PENDING_PARTITION = keys.outboxPending('', '').GSI2PK;

export interface OutboxRecord {
  id: string;
  events: EventEnvelope[];
  /** The event types it holds (the history's filter). */
  types: EventType[];
  createdAt: string;
  status: 'pending' | 'published';
  publishedAt?: string;
}

/**
 * CONTRACT (events out): the outbox record of one transaction — every event the change reports, written in the
 * change's own TransactWriteItems (one item, whatever the number of events, so it costs one of the 100 actions).
 * Put it with the change; never publish from the writer: the outbox relay publishes records after they commit.
 * Events without a correlation id get the current one (shared/context.ts). The record's id is derived from its events'
 * ids, and the put is conditional: a change that commits again with the same events fails (its own guard fails
 * first in practice).
 */
export function outboxPut(events: readonly EventEnvelope[], at: string) {
  const cid = correlationId();
  const stamped = events.map((e) => (e.correlationId || !cid ? e : { ...e, correlationId: cid }));
  const first = stamped[0];
  if (!first) throw new Error('outboxPut: a record needs at least one event');
  // The first event's id identifies the change, so it identifies the record too.
  const id = `obx_${first.id.slice('evt_'.length)}`;
  // The customer the change concerns (one change is about one customer; a payment from an unknown payer: none).
  const customerId = stamped.find((e) => e.customerId)?.customerId;
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...keys.outbox(id),
        entity: OUTBOX_ENTITY,
        id,
        events: stamped,
        types: [...new Set(stamped.map((e) => e.type))],
        createdAt: at,
        status: 'pending',
        ...keys.outboxPending(at, id),
        ...(customerId ? keys.outboxByCustomer(customerId, at, id) : {}),
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  };
}

function toRecord(item: Record<string, unknown>): OutboxRecord {
  return {
    id: item.id as string,
    events: item.events as EventEnvelope[],
    types: (item.types as EventType[] | undefined) ?? [...new Set((item.events as EventEnvelope[]).map((e) => e.type))],
    createdAt: item.createdAt as string,
    status: item.status as OutboxRecord['status'],
    ...(item.publishedAt ? { publishedAt: item.publishedAt as string } : {}),
  };
}

/** An outbox record as the stream's NEW_IMAGE carries it (already unmarshalled); undefined if the item is none. */
export function outboxRecordOf(item: Record<string, unknown> | undefined): OutboxRecord | undefined {
  return item?.entity === OUTBOX_ENTITY && Array.isArray(item.events) ? toRecord(item) : undefined;
}

/** One record, read consistently (tests and the sweep's second look). */
export async function getOutboxRecord(id: string): Promise<OutboxRecord | undefined> {
  const out = await dynamo().send(new GetCommand({ TableName: tableName(), Key: keys.outbox(id), ConsistentRead: true }));
  return out.Item ? toRecord(out.Item) : undefined;
}

/**
 * Marks a record published: it leaves the pending index. Idempotent — a record published twice (the stream and the
 * sweep, or a retry) keeps its first `publishedAt`.
 */
export async function markOutboxPublished(id: string, now: Date): Promise<void> {
  await ifWritten(
    dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.outbox(id),
        UpdateExpression: 'SET #s = :published, publishedAt = :now REMOVE GSI2PK, GSI2SK',
        ConditionExpression: '#s = :pending',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':published': 'published', ':pending': 'pending', ':now': now.toISOString() },
      }),
    ),
  );
}

/**
 * Records still pending that were written before `before` (oldest first, at most `limit`): the sweep's work. The index
 * is eventually consistent, so a record just marked published may still be listed (it is then published again — the
 * same ids; consumers de-duplicate).
 */
export async function pendingOutboxRecords(before: string, limit: number, startKey?: Record<string, unknown>) {
  const page = await queryPage(
    {
      TableName: tableName(),
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK < :before',
      ExpressionAttributeValues: { ':pk': PENDING_PARTITION, ':before': before },
    },
    limit,
    startKey,
  );
  return { items: page.items.map(toRecord), ...(page.lastKey ? { lastKey: page.lastKey } : {}) };
}

// ---------------------------------------------------------------------------------------------------------------
// A customer's events (the communication history)

/** One event sent downstream about a customer, as the communication history lists it. */
export interface OutgoingEvent {
  id: string;
  customerId: string;
  detailType: string;
  source: string;
  detail: Record<string, unknown>;
  createdAt: string;
  status: 'pending' | 'published';
  publishedId?: string;
}

/**
 * One page of the events sent downstream about a customer, oldest first: the outbox records on the customer's GSI1
 * partition (each record's events, of the `types` asked for), after the older per-customer items (`EVENT#<id>`). The
 * cursor is the key of whichever listing it stopped in. A page holds at most `limit` records, so with several events
 * to a record it may list a few more events than `limit`.
 */
export async function customerEventsPage(
  customerId: string,
  limit: number,
  startKey?: Record<string, unknown>,
  types?: readonly EventType[],
): Promise<{ items: OutgoingEvent[]; lastKey?: Record<string, unknown> }> {
  let items: OutgoingEvent[] = [];
  let key = startKey;
  if (!key || !('GSI1PK' in key)) {
    // The older items first (escalations from before the outbox; none in a table created since).
    const legacy = await customerItemsPage<OutgoingEvent>(customerId, 'EVENT#', limit, key);
    items = legacy.items.filter((e) => !types || types.includes(e.detailType as EventType));
    if (legacy.lastKey) return { items, lastKey: legacy.lastKey };
    key = undefined;
    limit = Math.max(1, limit - legacy.items.length);
  }
  const page = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :sk)',
      ...(types ? { FilterExpression: types.map((_t, i) => `contains(#types, :t${i})`).join(' OR '), ExpressionAttributeNames: { '#types': 'types' } } : {}),
      ExpressionAttributeValues: { ':pk': keys.customer(customerId).PK, ':sk': 'OUTBOX#', ...Object.fromEntries((types ?? []).map((t, i) => [`:t${i}`, t])) },
      Limit: limit,
      ExclusiveStartKey: key,
    }),
  );
  for (const item of page.Items ?? []) {
    const record = toRecord(item);
    for (const event of record.events) {
      if (event.customerId !== customerId || (types && !types.includes(event.type))) continue;
      items.push({
        id: event.id,
        customerId,
        detailType: event.type,
        source: 'collections',
        detail: event.data,
        createdAt: record.createdAt,
        status: record.status,
      });
    }
  }
  return { items, ...(page.LastEvaluatedKey ? { lastKey: page.LastEvaluatedKey } : {}) };
}
