import { scheduledHandler } from '../../shared/handlers/scheduled.ts';
import { logger } from '../../shared/logger.ts';
import { startInsights } from '../../shared/services/insights.ts';

/**
 * Scheduled insights run (nightly): "now" is the schedule's firing time (the event's `time`), never the wall clock;
 * the run is as of the last complete day before it and pages through the customers on the collections queue.
 */
export const handler = scheduledHandler(async (now): Promise<{ function: string; now: string; asOf: string }> => {
  const { asOf } = await startInsights(now);
  logger.info('insights run started', { now: now.toISOString(), asOf });
  return { function: 'insights', now: now.toISOString(), asOf };
});
