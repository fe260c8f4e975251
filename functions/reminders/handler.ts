import type { ScheduledEvent } from 'aws-lambda';
import { logger } from '../../shared/logger.ts';
import { startSweep } from '../../shared/services/collections.ts';

/** Scheduled reminders sweep: "now" is the schedule's firing time, never the wall clock; the worker does the work. */
export const handler = async (event: ScheduledEvent) => {
  const now = new Date(event.time);
  if (Number.isNaN(now.getTime())) throw new Error('scheduled event without a valid time');
  const { shards } = await startSweep('dunning', now);
  logger.info('reminders sweep started', { now: now.toISOString(), shards });
  return { function: 'reminders', now: now.toISOString(), shards };
};
