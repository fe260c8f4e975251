import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { errorForLog, logger } from '../../shared/logger.ts';
import { processEvent } from '../../shared/services/reconcile.ts';
import type { QueueMessage } from '../../shared/store/inbox.ts';

/** SQS batch → one event at a time; failures are reported per message so the rest of the batch is not retried. */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      const message = JSON.parse(record.body) as QueueMessage;
      await processEvent(message, new Date());
    } catch (error) {
      const receives = Number(record.attributes.ApproximateReceiveCount);
      logger.error('message failed; it will be retried, then dead-lettered', {
        messageId: record.messageId,
        receiveCount: receives,
        error: errorForLog(error),
      });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
