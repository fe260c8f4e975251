import { scheduledHandler } from '../../shared/handlers/scheduled.ts';
import { redrivePendingEvents } from '../../shared/services/ingest.ts';
import { deliverPendingMail } from '../../shared/services/outbox.ts';

/** Safety net for the outbox pattern: events stored but not enqueued, mails stored but not sent. */
export const handler = scheduledHandler(async (now) => {
  const redriven = await redrivePendingEvents(now);
  const mailed = await deliverPendingMail(now);
  return { redriven, mailed };
});
