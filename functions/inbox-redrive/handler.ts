import { scheduledHandler } from '../../shared/handlers/scheduled.ts';
import { recordMetric } from '../../shared/metrics.ts';
import { redrivePendingEvents } from '../../shared/services/ingest.ts';
import { deliverPendingMail } from '../../shared/services/outbox.ts';
import { reviewQueueLength } from '../../shared/services/queries.ts';

/**
 * Safety net for the outbox pattern: events stored but not enqueued, mails stored but not sent. Every 5 minutes, so it
 * also takes the review queue's length for the operators' gauge (`PaymentsInReview`: a count, nothing read out).
 */
export const handler = scheduledHandler(async (now) => {
  const redriven = await redrivePendingEvents(now);
  const mailed = await deliverPendingMail(now);
  recordMetric('PaymentsInReview', await reviewQueueLength());
  return { redriven, mailed };
});
