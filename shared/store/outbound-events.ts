/**
 * Outbound events: the outbox of events sent downstream about a customer (`EVENT#<id>` under the customer, pending
 * ones in the sparse GSI2 `OUTEVENT#PENDING`), written with the change they report and marked once published.
 */
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../adapters/aws.ts';
import { correlationId } from '../context.ts';
import type { EventEnvelope } from '../domain/events/envelope.ts';
import { customerItemsPage } from './customers.ts';
import { keys } from './keys.ts';
import { entity, isConditionalFailure, tableName } from './table.ts';

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

export function outEventPut(event: OutgoingEvent) {
  return {
    TableName: tableName(),
    Item: { ...keys.outEvent(event.customerId, event.id), ...keys.outEventPending(event.createdAt), entity: 'out_event', ...event },
    ConditionExpression: 'attribute_not_exists(PK)',
  };
}

export async function markEventPublished(event: Pick<OutgoingEvent, 'customerId' | 'id'>, publishedId: string, now: Date): Promise<void> {
  await dynamo().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.outEvent(event.customerId, event.id),
      UpdateExpression: 'SET #s = :p, publishedId = :pid, publishedAt = :now REMOVE GSI2PK, GSI2SK',
      ConditionExpression: '#s = :pending',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':p': 'published', ':pid': publishedId, ':now': now.toISOString(), ':pending': 'pending' },
    }),
  ).catch((error: unknown) => {
    if (!isConditionalFailure(error)) throw error;
  });
}

/** Events not yet published (sparse GSI2), oldest first. */
export async function pendingEvents(limit: number): Promise<OutgoingEvent[]> {
  const out = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk',
      ExpressionAttributeValues: { ':pk': 'OUTEVENT#PENDING' },
      Limit: limit,
    }),
  );
  return (out.Items ?? []).map((i) => entity<OutgoingEvent>(i) as OutgoingEvent);
}

/** One page of the events sent downstream about a customer (outbox items, `EVENT#<id>` order). */
export async function customerEventsPage(
  customerId: string,
  limit: number,
  startKey?: Record<string, unknown>,
): Promise<{ items: OutgoingEvent[]; lastKey?: Record<string, unknown> }> {
  return customerItemsPage<OutgoingEvent>(customerId, 'EVENT#', limit, startKey);
}

/**
 * CONTRACT (events out): the outbox record of one transaction — every event the change reports, written in the
 * change's own TransactWriteItems (one item, whatever the number of events, so it costs one of the 100 actions).
 * Put it with the change; never publish from the writer: the outbox relay publishes records after they commit.
 * Events without a correlation id get the current one (shared/context.ts). The record's id is derived from its events'
 * ids, and the put is conditional: a change that commits again with the same events fails (its own guard fails
 * first in practice).
 *
 * The events work (store + relay) may change the item's keys and attributes, not this signature.
 */
export function outboxPut(events: readonly EventEnvelope[], at: string) {
  const cid = correlationId();
  const stamped = events.map((e) => (e.correlationId || !cid ? e : { ...e, correlationId: cid }));
  const first = stamped[0];
  if (!first) throw new Error('outboxPut: a record needs at least one event');
  // The first event's id identifies the change, so it identifies the record too.
  const id = `obx_${first.id.slice('evt_'.length)}`;
  return {
    Put: {
      TableName: tableName(),
      Item: { PK: `OUTBOX#${id}`, SK: 'OUTBOX', entity: 'outbox', id, events: stamped, createdAt: at, status: 'pending', GSI2PK: 'OUTBOX#PENDING', GSI2SK: `${at}#${id}` },
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  };
}
