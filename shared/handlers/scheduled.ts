import type { Context, ScheduledEvent } from 'aws-lambda';
import { logger, withLambdaContext } from '../logger.ts';
import { startSweep } from '../services/collections.ts';

export type SweepKind = Parameters<typeof startSweep>[0];

/**
 * The handler of a scheduled sweep (reminders, interest, escalation): "now" is the schedule's firing time (the event's
 * `time`), never the wall clock; the sweep only fans the due slice of the next-action index out to the collections
 * worker, which does the work.
 */
export function sweepHandler(
  name: string,
  kind: SweepKind,
): (event: ScheduledEvent, context?: Context) => Promise<{ function: string; now: string; shards: number }> {
  return withLambdaContext(async (event: ScheduledEvent) => {
    const now = new Date(event.time);
    if (Number.isNaN(now.getTime())) throw new Error('scheduled event without a valid time');
    const { shards } = await startSweep(kind, now);
    logger.info(`${name} sweep started`, { now: now.toISOString(), shards });
    return { function: name, now: now.toISOString(), shards };
  });
}
