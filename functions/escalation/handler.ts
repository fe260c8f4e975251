import { sweepHandler } from '../../shared/handlers/scheduled.ts';

/** Scheduled escalation sweep (daily): "now" is the schedule's firing time; the collections worker does the work. */
export const handler = sweepHandler('escalation', 'escalation');
