import { sweepHandler } from '../../shared/handlers/scheduled.ts';

/** Scheduled reminders sweep (hourly): "now" is the schedule's firing time; the collections worker does the work. */
export const handler = sweepHandler('reminders', 'dunning');
