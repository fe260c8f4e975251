import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent, ScheduledEvent } from 'aws-lambda';
import { invocationHandler } from '../../shared/handlers/invocation.ts';
import { publishPendingRecords, relayStreamBatch } from '../../shared/services/events.ts';

/**
 * The outbox relay (shared/services/events.ts). Two triggers: the table's stream, filtered to inserts of outbox
 * records — answered with the batch's checkpoint (`batchItemFailures`: the first record that failed; Lambda retries
 * from it) — and the schedule of the sweep, which publishes records still pending after the grace period ("now" is
 * the schedule's firing time).
 */
// Framed like every invocation (Lambda context, metrics flushed at the end): a stream batch's records each run under
// their events' correlation id (relayStreamBatch); a sweep run under the run's id.
export const handler = invocationHandler((event: DynamoDBStreamEvent | ScheduledEvent) => ('Records' in event ? undefined : event.id), async (event: DynamoDBStreamEvent | ScheduledEvent): Promise<DynamoDBBatchResponse | { published: number; failed: number }> => {
  if ('Records' in event) {
    const { failedAt } = await relayStreamBatch(
      event.Records.map((r) => ({
        sequenceNumber: r.dynamodb?.SequenceNumber ?? '',
        newImage: r.dynamodb?.NewImage ? unmarshall(r.dynamodb.NewImage as Record<string, AttributeValue>) : undefined,
      })),
      new Date(),
    );
    return { batchItemFailures: failedAt ? [{ itemIdentifier: failedAt }] : [] };
  }
  const now = new Date(event.time);
  if (Number.isNaN(now.getTime())) throw new Error('scheduled event without a valid time');
  return publishPendingRecords(now);
});
