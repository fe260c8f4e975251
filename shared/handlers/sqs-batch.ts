import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { CORRELATION_ID_ATTRIBUTE, isCorrelationId, withCorrelationId } from '../context.ts';
import { errorForLog, logger } from '../logger.ts';
import { recordMetric } from '../metrics.ts';
import { invocationHandler } from './invocation.ts';

export interface BatchOptions {
  /** What one message is, for the logs ("message", "collections job"). */
  what: string;
  /**
   * Errors that redelivery cannot fix (a programming error such as a transaction past DynamoDB's limits): logged with
   * the body and dropped instead of being retried into the dead-letter queue.
   */
  isPermanent?: (error: unknown) => boolean;
}

/**
 * The correlation id a queue message carries: its `correlationId` attribute (set by adapters/queue.ts from the work
 * that sent it) if well-formed, else the message's own id — so a message sent from outside still has one.
 */
export function recordCorrelationId(record: SQSRecord): string {
  const carried = record.messageAttributes?.[CORRELATION_ID_ATTRIBUTE]?.stringValue;
  return isCorrelationId(carried) ? carried : record.messageId;
}

/**
 * The one SQS batch helper of the queue workers, shaped like Powertools' `processPartialResponse(event,
 * recordHandler, processor)`: records are handled one at a time, in order; a record whose handler throws is reported
 * in `batchItemFailures` (retried, then dead-lettered) while the rest of the batch completes. Unlike Powertools'
 * default, a batch in which every record fails is answered with all of them as failures, not with a thrown error —
 * the same outcome for SQS, and what the local poller honours.
 *
 * Each record is handled under its own correlation id (`recordCorrelationId`), its failure logged under it too: two
 * records of one batch never share one, and nothing of one record's id is left for the next.
 */
export async function processPartialResponse(
  event: SQSEvent,
  recordHandler: (record: SQSRecord) => Promise<unknown>,
  options: BatchOptions,
): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    await withCorrelationId(recordCorrelationId(record), async () => {
      try {
        await recordHandler(record);
      } catch (error) {
        if (options.isPermanent?.(error)) {
          recordMetric('QueueMessagesDropped');
          logger.error(`${options.what} failed permanently; not retried`, { messageId: record.messageId, body: record.body, error: errorForLog(error) });
          return;
        }
        recordMetric('QueueMessagesFailed');
        logger.error(`${options.what} failed; it will be retried, then dead-lettered`, {
          messageId: record.messageId,
          receiveCount: Number(record.attributes.ApproximateReceiveCount),
          error: errorForLog(error),
        });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    });
  }
  return { batchItemFailures };
}

/**
 * A queue worker's handler: `processPartialResponse` over the batch, framed like every invocation (Lambda context in
 * the log lines, the batch's business metrics flushed at the end). The records bring their own correlation ids.
 */
export function sqsHandler(
  recordHandler: (record: SQSRecord) => Promise<unknown>,
  options: BatchOptions,
): (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse> {
  return invocationHandler(
    () => undefined,
    (event: SQSEvent) => processPartialResponse(event, recordHandler, options),
  );
}
