import { unmarshall } from '@aws-sdk/util-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../adapters/aws.ts';
import { correlationId } from '../context.ts';
import { keys } from './keys.ts';
import { entity, isConditionalFailure, tableName } from './table.ts';

/** `bank` is a whole notification or file; `bank-line` one credit from it, stored and processed on its own. */
export type InboxSource = 'stripe' | 'bank' | 'bank-line';
export type InboxStatus = 'received' | 'enqueued' | 'processed' | 'ignored';

/** A webhook delivery, stored verbatim (raw body) before anything else happens to it. */
export interface InboxEvent {
  source: InboxSource;
  eventId: string;
  type: string;
  /** The raw body as received and verified. */
  payload: string;
  /** Receipt time: the webhook's "now". */
  receivedAt: string;
  status: InboxStatus;
  outcome?: string;
  /**
   * The correlation id of the request that delivered it (stamped by `storeEvent` from shared/context.ts): a redrive
   * after a crash enqueues it under this id, so the work goes on under the webhook's id.
   */
  correlationId?: string;
}

export interface QueueMessage {
  source: InboxSource;
  eventId: string;
}

/**
 * Stores the event once (conditional put on its id). The item carries the sparse GSI2 "pending" key until it is
 * enqueued, so a crash between storing and enqueueing is found and redriven. Returns the existing item on a repeat.
 */
export async function storeEvent(event: InboxEvent): Promise<{ stored: true } | { stored: false; existing: InboxEvent }> {
  const cid = event.correlationId ?? correlationId();
  try {
    await dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...keys.inboxEvent(event.source, event.eventId),
          ...keys.inboxPending(event.receivedAt),
          entity: 'inbox_event',
          ...event,
          ...(cid ? { correlationId: cid } : {}),
        },
        ConditionExpression: 'attribute_not_exists(PK)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { stored: true };
  } catch (error) {
    if (isConditionalFailure(error)) {
      // The old item comes back in DynamoDB's wire format (the document client does not convert errors).
      const old = (error as { Item?: Parameters<typeof unmarshall>[0] }).Item;
      const existing = old ? entity<InboxEvent>(unmarshall(old)) : await getEvent(event.source, event.eventId);
      if (existing) return { stored: false, existing };
    }
    throw error;
  }
}

export async function getEvent(source: InboxSource, eventId: string): Promise<InboxEvent | undefined> {
  const out = await dynamo().send(
    new GetCommand({ TableName: tableName(), Key: keys.inboxEvent(source, eventId), ConsistentRead: true }),
  );
  return entity(out.Item);
}

/** received → enqueued, dropping the pending key. A no-op if the worker got there first. */
export async function markEnqueued(source: InboxSource, eventId: string): Promise<void> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.inboxEvent(source, eventId),
        UpdateExpression: 'SET #s = :enqueued REMOVE GSI2PK, GSI2SK',
        ConditionExpression: '#s = :received',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':enqueued': 'enqueued', ':received': 'received' },
      }),
    );
  } catch (error) {
    if (!isConditionalFailure(error)) throw error;
  }
}

/** The event is done (processed or ignored), once every effect is in place; a no-op if it was done already. */
export async function markDone(source: InboxSource, eventId: string, status: 'processed' | 'ignored', outcome: string) {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.inboxEvent(source, eventId),
        UpdateExpression: 'SET #s = :status, outcome = :outcome REMOVE GSI2PK, GSI2SK',
        ConditionExpression: 'attribute_exists(PK) AND NOT #s IN (:processed, :ignored)',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':status': status, ':outcome': outcome, ':processed': 'processed', ':ignored': 'ignored' },
      }),
    );
  } catch (error) {
    if (!isConditionalFailure(error)) throw error;
  }
}

/** Events stored before `before` and still not enqueued (sparse index: reads only those). */
export async function pendingEvents(before: string, limit: number): Promise<InboxEvent[]> {
  const out = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK < :before',
      ExpressionAttributeValues: { ':pk': 'INBOX#PENDING', ':before': before },
      Limit: limit,
    }),
  );
  return (out.Items ?? []).map((i) => entity<InboxEvent>(i) as InboxEvent);
}
