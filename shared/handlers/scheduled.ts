import type { Context, ScheduledEvent } from 'aws-lambda';
import { logger } from '../logger.ts';
import { recordMetric } from '../metrics.ts';
import { startSweep } from '../services/collections.ts';
import { invocationHandler } from './invocation.ts';

export type SweepKind = Parameters<typeof startSweep>[0];

/**
 * The handler of a scheduled run: "now" is the schedule's firing time (the event's `time`), never the wall clock, and
 * the run's id (EventBridge Scheduler's execution id, the event's `id`) is its correlation id — carried on every queue
 * message the run sends, so every job of the run logs, mails and reports under it.
 */
export function scheduledHandler<R>(
  run: (now: Date, event: ScheduledEvent) => Promise<R>,
): (event: ScheduledEvent, context?: Context) => Promise<R> {
  return invocationHandler(
    (event: ScheduledEvent) => event.id,
    async (event: ScheduledEvent) => {
      const now = new Date(event.time);
      if (Number.isNaN(now.getTime())) throw new Error('scheduled event without a valid time');
      return run(now, event);
    },
  );
}

/**
 * The handler of a scheduled sweep (reminders, interest, escalation): the sweep only fans the due slice of the
 * next-action index out to the collections worker, which does the work. A reminder run counts as started here
 * (`ReminderRuns`); its jobs record how long it has been running (`ReminderRunElapsed`, the collections worker).
 */
export function sweepHandler(
  name: string,
  kind: SweepKind,
): ((event: ScheduledEvent, context?: Context) => Promise<{ function: string; now: string; shards: number }>) & { readonly sweep: SweepKind } {
  const handler = scheduledHandler(async (now) => {
    const { shards } = await startSweep(kind, now);
    if (kind === 'dunning') recordMetric('ReminderRuns');
    logger.info(`${name} sweep started`, { now: now.toISOString(), shards });
    return { function: name, now: now.toISOString(), shards };
  });
  // The index it sweeps, for local time travel (local/scheduler.ts), which skips a run that would find nothing.
  return Object.assign(handler, { sweep: kind });
}
