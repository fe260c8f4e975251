import type { Context, ScheduledEvent, SQSEvent } from 'aws-lambda';
import { scheduledHandler } from '../../shared/handlers/scheduled.ts';
import { sqsHandler } from '../../shared/handlers/sqs-batch.ts';
import { deliverMessage, sweepDueDeliveries, webhookMessageSchema } from '../../shared/services/webhooks.ts';

class NotADelivery extends Error {
  readonly permanent = true;
}

/** The worker: one attempt per message. A message that is not a delivery is dropped (redelivery cannot fix it). */
const worker = sqsHandler(
  async (record) => {
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      throw new NotADelivery('not a webhook delivery: the body is not JSON');
    }
    const parsed = webhookMessageSchema.safeParse(body);
    if (!parsed.success) throw new NotADelivery(`not a webhook delivery: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    await deliverMessage(parsed.data);
  },
  { what: 'webhook delivery', isPermanent: (error) => error instanceof NotADelivery },
);

/** The retry sweep (every minute): "now" is the schedule's time, so a fired schedule can stand for a later hour. */
const sweep = scheduledHandler(async (now) => ({ function: 'webhook-deliveries', now: now.toISOString(), ...(await sweepDueDeliveries(now)) }));

/** Two triggers: the `webhooks` queue (SQS records) and the schedule (EventBridge, has `time`). */
export const handler = async (event: SQSEvent | ScheduledEvent, context: Context) => {
  if ('Records' in event) return worker(event, context);
  return sweep(event, context);
};
