import { enqueue } from '../adapters/queue.ts';
import { getSecret } from '../adapters/secrets.ts';
import { createHash } from 'node:crypto';
import { decodeBankBody, parseBankPayload, verifyBankSignature } from '../adapters/bank/index.ts';
import { verifyStripeEvent } from '../adapters/stripe.ts';
import { stripeEventProblem } from '../adapters/stripe-events.ts';
import { correlationId, withCorrelationId } from '../context.ts';
import { logger } from '../logger.ts';
import { markEnqueued, pendingEvents, storeEvent, type InboxEvent, type QueueMessage } from '../store/inbox.ts';

export type IngestOutcome = 'stored' | 'duplicate';

/** A correctly signed body that is not an event we can process: refused (400), nothing stored. */
export class StripeEventShapeError extends Error {
  override name = 'StripeEventShapeError';
}

/**
 * Webhook ingestion: verify over the raw bytes → store durably (once, by event id) → enqueue → mark enqueued.
 * A crash after storing leaves the event "received" with a pending index key: the provider's retry re-enqueues it,
 * and so does the redrive sweep. The worker is idempotent, so an event enqueued twice is applied once.
 */
export async function ingestStripe(rawBody: Buffer, signature: string | undefined, receivedAt: Date): Promise<IngestOutcome> {
  const secret = await getSecret('STRIPE_WEBHOOK_SECRET');
  const event = verifyStripeEvent(rawBody, signature, secret, receivedAt);
  const problem = stripeEventProblem(event);
  if (problem) throw new StripeEventShapeError(problem);
  return storeAndEnqueue({
    source: 'stripe',
    eventId: event.id,
    type: event.type,
    payload: rawBody.toString('utf8'),
    receivedAt: receivedAt.toISOString(),
    status: 'received',
  });
}

/**
 * Bank webhook: verify the HMAC over `<timestamp>.<raw body>` → parse (a malformed file is refused before anything is
 * stored) → store the whole payload once (by content hash) → enqueue. The worker splits it into lines, each with
 * its own stable key, so a file re-sent or overlapping another adds nothing.
 */
export async function ingestBank(
  rawBody: Buffer,
  headers: { timestamp?: string; signature?: string; contentType?: string },
  receivedAt: Date,
): Promise<{ outcome: IngestOutcome; lines: number; format: string }> {
  const secret = await getSecret('BANK_WEBHOOK_SECRET');
  verifyBankSignature(rawBody, headers.timestamp, headers.signature, secret, receivedAt);
  // XML may declare another encoding (some banks still send ISO-8859-1); decode as the payload says.
  const body = decodeBankBody(rawBody);
  const parsed = parseBankPayload(body, headers.contentType);
  const outcome = await storeAndEnqueue({
    source: 'bank',
    eventId: createHash('sha256').update(rawBody).digest('hex'),
    type: headers.contentType ?? parsed.format,
    payload: body,
    receivedAt: receivedAt.toISOString(),
    status: 'received',
  });
  return { outcome, lines: parsed.lines.length, format: parsed.format };
}

export async function storeAndEnqueue(event: InboxEvent): Promise<IngestOutcome> {
  const result = await storeEvent(event);
  if (!result.stored && result.existing.status !== 'received') {
    logger.info('duplicate delivery', { source: event.source, eventId: event.eventId });
    return 'duplicate';
  }
  const message: QueueMessage = { source: event.source, eventId: event.eventId };
  // A retried delivery finishing an enqueue a crash interrupted goes on under the id of the delivery that stored it:
  // one event, one correlation id, whichever delivery or redrive gets it onto the queue.
  const carried = result.stored ? undefined : result.existing.correlationId;
  await withCorrelationId(carried ?? correlationId(), async () => {
    await enqueue('payments', message);
    await markEnqueued(event.source, event.eventId);
  });
  logger.info('event stored and enqueued', { source: event.source, eventId: event.eventId, type: event.type });
  return result.stored ? 'stored' : 'duplicate';
}

/** Re-enqueues events stored more than `graceMs` before `now` and never marked enqueued. */
export async function redrivePendingEvents(now: Date, graceMs = 2 * 60_000, limit = 100): Promise<number> {
  const before = new Date(now.getTime() - graceMs).toISOString();
  const events = await pendingEvents(before, limit);
  for (const e of events) {
    // Under the id of the request that delivered it: the work goes on as if the enqueue had not been interrupted.
    await withCorrelationId(e.correlationId ?? correlationId(), async () => {
      await enqueue('payments', { source: e.source, eventId: e.eventId } satisfies QueueMessage);
      await markEnqueued(e.source, e.eventId);
    });
  }
  if (events.length > 0) logger.warn('redrove events whose enqueue had not completed', { count: events.length });
  return events.length;
}
