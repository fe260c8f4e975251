import type { ScheduledEvent } from 'aws-lambda';
import { logger } from '../../shared/logger.ts';

/** Scheduled interest sweep. "now" is the schedule's firing time, never the wall clock. Logic: the collections issue. */
export const handler = async (event: ScheduledEvent) => {
  const now = new Date(event.time);
  logger.info('interest sweep would run', { now: now.toISOString() });
  return { function: 'interest', now: now.toISOString(), actions: 0 };
};
