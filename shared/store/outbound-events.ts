/**
 * Outbound events: the outbox of events sent downstream about a customer (`EVENT#<id>` under the customer, pending
 * ones in the sparse GSI2 `OUTEVENT#PENDING`), written with the change they report and marked once published.
 */
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../adapters/aws.ts';
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
