import { sqsHandler } from '../../shared/handlers/sqs-batch.ts';
import { recordMetric } from '../../shared/metrics.ts';
import { processEvent, type QueueMessage } from '../../shared/services/reconcile.ts';

/**
 * SQS batch → one event at a time; failures are reported per message so the rest of the batch is not retried.
 * A new incoming payment's first decision is counted here (a redelivery answers `duplicate` and counts nothing):
 * applied by the rules, or sent to review — the two parts of the straight-through rate.
 */
export const handler = sqsHandler(
  async (record) => {
    const outcome = await processEvent(JSON.parse(record.body) as QueueMessage, new Date());
    if (outcome === 'applied') recordMetric('PaymentsApplied');
    else if (outcome === 'unapplied') recordMetric('PaymentsSentToReview');
  },
  { what: 'message' },
);
