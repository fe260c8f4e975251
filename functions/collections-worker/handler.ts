import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { errorForLog, logger } from '../../shared/logger.ts';
import { collectionsMessageSchema, processCollectionsMessage } from '../../shared/services/collections.ts';
import { isPermanentError } from '../../shared/store/table.ts';

/** Collections jobs, one at a time; failures are reported per message (retried, then dead-lettered). */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      const parsed = collectionsMessageSchema.safeParse(JSON.parse(record.body));
      if (!parsed.success) throw new Error(`not a collections job: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      await processCollectionsMessage(parsed.data);
    } catch (error) {
      if (isPermanentError(error)) {
        // Deterministic (a programming error such as a transaction past DynamoDB's limits): redelivery cannot help.
        logger.error('collections job failed permanently; not retried', { messageId: record.messageId, body: record.body, error: errorForLog(error) });
        continue;
      }
      logger.error('collections job failed; it will be retried, then dead-lettered', {
        messageId: record.messageId,
        receiveCount: Number(record.attributes.ApproximateReceiveCount),
        error: errorForLog(error),
      });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
