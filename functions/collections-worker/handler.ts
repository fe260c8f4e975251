import type { SQSEvent } from 'aws-lambda';
import { processPartialResponse } from '../../shared/handlers/sqs-batch.ts';
import { withLambdaContext } from '../../shared/logger.ts';
import { collectionsMessageSchema, isPermanentError, processCollectionsMessage } from '../../shared/services/collections.ts';

/**
 * Collections jobs, one at a time; failures are reported per message (retried, then dead-lettered). A permanent
 * error (deterministic, e.g. a transaction past DynamoDB's limits) is logged and not retried: redelivery cannot help.
 */
export const handler = withLambdaContext((event: SQSEvent) =>
  processPartialResponse(
    event,
    async (record) => {
      const parsed = collectionsMessageSchema.safeParse(JSON.parse(record.body));
      if (!parsed.success) throw new Error(`not a collections job: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      await processCollectionsMessage(parsed.data);
    },
    { what: 'collections job', isPermanent: isPermanentError },
  ));
