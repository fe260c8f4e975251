import type { SQSEvent } from 'aws-lambda';
import { processPartialResponse } from '../../shared/handlers/sqs-batch.ts';
import { withLambdaContext } from '../../shared/logger.ts';
import { processEvent, type QueueMessage } from '../../shared/services/reconcile.ts';

/** SQS batch → one event at a time; failures are reported per message so the rest of the batch is not retried. */
export const handler = withLambdaContext((event: SQSEvent) =>
  processPartialResponse(event, (record) => processEvent(JSON.parse(record.body) as QueueMessage, new Date()), { what: 'message' }));
