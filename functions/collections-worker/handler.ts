import { sqsHandler } from '../../shared/handlers/sqs-batch.ts';
import { recordMetric } from '../../shared/metrics.ts';
import { collectionsMessageSchema, isPermanentError, processCollectionsMessage } from '../../shared/services/collections.ts';

/**
 * Collections jobs, one at a time; failures are reported per message (retried, then dead-lettered). A permanent
 * error (deterministic, e.g. a transaction past DynamoDB's limits) is logged and not retried: redelivery cannot help.
 * Every job of a reminder run (its index pages and its customers' reminders) records, when done, how long the run
 * has been going (since the schedule fired: the job's `now`); the largest is the run's duration.
 */
export const handler = sqsHandler(
  async (record) => {
    const parsed = collectionsMessageSchema.safeParse(JSON.parse(record.body));
    if (!parsed.success) throw new Error(`not a collections job: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const job = parsed.data;
    await processCollectionsMessage(job);
    if (job.job === 'dunning' || (job.job === 'sweep' && job.kind === 'dunning')) {
      recordMetric('ReminderRunElapsed', Date.now() - Date.parse(job.now));
    }
  },
  { what: 'collections job', isPermanent: isPermanentError },
);
