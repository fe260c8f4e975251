import type { ScheduledEvent } from 'aws-lambda';
import { logger } from '../../shared/logger.ts';

/** Scheduled reminders sweep. "now" is the schedule's firing time, never the wall clock. Logic: the collections issue. */
export const handler = async (event: ScheduledEvent) => {
  const now = new Date(event.time);
  logger.info('reminders sweep would run', { now: now.toISOString() });
  return { function: 'reminders', now: now.toISOString(), actions: 0 };
};
