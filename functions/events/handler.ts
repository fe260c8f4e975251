import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBStreamEvent, ScheduledEvent } from 'aws-lambda';
import { invocationHandler } from '../../shared/handlers/invocation.ts';
import { scheduledHandler } from '../../shared/handlers/scheduled.ts';
import { publishPendingRecords, relayStreamBatch } from '../../shared/services/events.ts';

/**
 * The outbox relay (shared/services/events.ts), framed like every invocation (Lambda context, metrics flushed at the
 * end). The table's stream, filtered to inserts of outbox records: each record is relayed under its events'
 * correlation id (relayStreamBatch), and the batch is answered with its checkpoint (`batchItemFailures`: the first
 * record that failed; Lambda retries from it).
 */
const stream = invocationHandler(
  () => undefined,
  async (event: DynamoDBStreamEvent) => {
    const { failedAt } = await relayStreamBatch(
      event.Records.map((r) => ({
        sequenceNumber: r.dynamodb?.SequenceNumber ?? '',
        newImage: r.dynamodb?.NewImage ? unmarshall(r.dynamodb.NewImage as Record<string, AttributeValue>) : undefined,
      })),
      new Date(),
    );
    return { batchItemFailures: failedAt ? [{ itemIdentifier: failedAt }] : [] };
  },
);

/** The sweep: records still pending after the grace period ("now" is the schedule's firing time; the run's id). */
const sweep = scheduledHandler((now) => publishPendingRecords(now));

/** Two triggers: the table's stream (records) and the schedule (EventBridge, has `time`). */
export const handler = async (event: DynamoDBStreamEvent | ScheduledEvent, context?: Context) => {
  if ('Records' in event) return stream(event, context);
  return sweep(event, context);
};
