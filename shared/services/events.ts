/**
 * The outbox relay: publishes each committed outbox record's events — to the event bus (EventBridge; locally the local
 * bus) and to the webhook subscriptions — and only then marks the record published. Two ways in, one way out:
 *
 * - the table's stream (inserts of outbox records): the normal path, within about a second of the commit;
 * - the sweep (scheduled): records still pending after a grace period — the safety net when a stream delivery was
 *   lost or exhausted its retries.
 *
 * At least once: a crash after publishing and before marking, a stream retry, or the sweep racing the stream publishes
 * a record again — with the same envelope ids (they are part of the record), never new ones; consumers de-duplicate on
 * `id`. Nothing is published that did not commit: the relay only reads committed records.
 */
import { publishEvents } from '../adapters/events.ts';
import { withCorrelationId } from '../context.ts';
import { errorForLog, logger } from '../logger.ts';
import { recordMetric } from '../metrics.ts';
import { markOutboxPublished, outboxRecordOf, pendingOutboxRecords, type OutboxRecord } from '../store/outbound-events.ts';
import { isPermanentError } from '../store/table.ts';
import { enqueueDeliveries } from './webhooks.ts';

/** How long a record may stay pending before the sweep publishes it (the stream normally takes about a second). */
export const SWEEP_GRACE_MS = 2 * 60_000;
/** Records the sweep takes per run (a backlog beyond that is the next run's; each record is a few calls). */
export const SWEEP_MAX_RECORDS = 500;

/** Publishes one record's events (bus, then webhook deliveries) and marks it published. Throws if any step fails. */
export async function relayRecord(record: OutboxRecord, now: Date): Promise<void> {
  if (record.status !== 'pending') return;
  await publishEvents(record.events, now);
  recordMetric('EventsPublished', record.events.length);
  const deliveries = await enqueueDeliveries(record.events, now);
  await markOutboxPublished(record.id, now);
  logger.info('events published', { outboxId: record.id, events: record.events.length, types: record.types, deliveries });
}

/**
 * The sweep: publishes records written more than SWEEP_GRACE_MS before `now` and still pending, oldest first. A record
 * that fails is logged and left pending (the next run tries again) without stopping the others; the run then throws, so
 * the failure shows in the function's error alarm.
 */
export async function publishPendingRecords(now: Date): Promise<{ published: number; failed: number }> {
  const before = new Date(now.getTime() - SWEEP_GRACE_MS).toISOString();
  let published = 0;
  let failed = 0;
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await pendingOutboxRecords(before, Math.min(100, SWEEP_MAX_RECORDS - published - failed), cursor);
    for (const record of page.items) {
      try {
        await withCorrelationId(record.events[0]?.correlationId, () => relayRecord(record, now));
        published += 1;
      } catch (error) {
        failed += 1;
        logger.error('outbox record not published; the next sweep retries', { outboxId: record.id, error: errorForLog(error) });
      }
    }
    cursor = page.lastKey;
  } while (cursor && published + failed < SWEEP_MAX_RECORDS);
  if (published + failed > 0) logger.info('outbox sweep', { published, failed });
  if (failed > 0) throw new Error(`outbox sweep: ${failed} record(s) not published`);
  return { published, failed };
}

/** One stream record as the relay needs it: its sequence number and its new image (unmarshalled). */
export interface StreamItem {
  sequenceNumber: string;
  newImage: Record<string, unknown> | undefined;
}

/**
 * The stream path: relays the records of a stream batch in order and returns the sequence number of the first one that
 * failed (the batch's checkpoint: Lambda retries from it, then hands the batch to the on-failure destination — the
 * record stays pending, so the sweep publishes it later). Items that are not outbox records are skipped (the event
 * source's filter lets none through). A permanent error (an event EventBridge can never take) is logged and not
 * retried here: it would hold the shard back; the record stays pending and the sweep reports it on every run.
 */
export async function relayStreamBatch(items: readonly StreamItem[], now: Date): Promise<{ failedAt?: string; published: number }> {
  let published = 0;
  for (const item of items) {
    const record = outboxRecordOf(item.newImage);
    if (!record) continue;
    try {
      await withCorrelationId(record.events[0]?.correlationId, () => relayRecord(record, now));
      published += 1;
    } catch (error) {
      if (isPermanentError(error)) {
        logger.error('outbox record cannot be published; left pending', { outboxId: record.id, error: errorForLog(error) });
        continue;
      }
      logger.error('outbox record not published; the stream retries from it', { outboxId: record.id, error: errorForLog(error) });
      return { failedAt: item.sequenceNumber, published };
    }
  }
  return { published };
}
