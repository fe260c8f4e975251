import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { errorForLog, logger } from '../logger.ts';

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
 * The one SQS batch helper of the queue workers, shaped like Powertools' `processPartialResponse(event,
 * recordHandler, processor)`: records are handled one at a time, in order; a record whose handler throws is reported
 * in `batchItemFailures` (retried, then dead-lettered) while the rest of the batch completes. Unlike Powertools'
 * default, a batch in which every record fails is answered with all of them as failures, not with a thrown error —
 * the same outcome for SQS, and what the local poller honours.
 */
export async function processPartialResponse(
  event: SQSEvent,
  recordHandler: (record: SQSRecord) => Promise<unknown>,
  options: BatchOptions,
): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      await recordHandler(record);
    } catch (error) {
      if (options.isPermanent?.(error)) {
        logger.error(`${options.what} failed permanently; not retried`, { messageId: record.messageId, body: record.body, error: errorForLog(error) });
        continue;
      }
      logger.error(`${options.what} failed; it will be retried, then dead-lettered`, {
        messageId: record.messageId,
        receiveCount: Number(record.attributes.ApproximateReceiveCount),
        error: errorForLog(error),
      });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
