/** The manifest's queues, each with its dead-letter queue and alarm, and the failed-runs queue of asynchronous invocations. */
import { Duration, type Stack } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { dlqName, functions as manifestFunctions, queues as manifestQueues, type FunctionSpec, type QueueId } from '../../shared/topology.ts';
import type { AlarmOnMessages } from './alarms.ts';
import { acknowledge } from './nag.ts';
import { pascal } from './names.ts';

/** Invoked asynchronously (EventBridge Scheduler, SNS): Lambda retries, then the failed-runs DLQ. */
export function isAsyncInvoked(spec: FunctionSpec): boolean {
  return spec.triggers.some((t) => t.type === 'schedule' || t.type === 'sns');
}

export function createQueues(
  stack: Stack,
  alarmOnMessages: AlarmOnMessages,
): { queues: Record<QueueId, Queue>; deadLetterQueues: Record<QueueId, Queue>; scheduleDlq: Queue | undefined } {
  const queues = {} as Record<QueueId, Queue>;
  const deadLetterQueues = {} as Record<QueueId, Queue>;
  for (const spec of Object.values(manifestQueues)) {
    const dlq = new Queue(stack, dlqName(spec.id), {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    const queue = new Queue(stack, `${pascal(spec.id)}Queue`, {
      visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
      retentionPeriod: Duration.seconds(spec.retentionSeconds),
      deadLetterQueue: { queue: dlq, maxReceiveCount: spec.maxReceiveCount },
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    alarmOnMessages(dlq, `${pascal(dlqName(spec.id))}Alarm`, `Dead-letter queue of ${spec.id}`);
    acknowledgeEndOfLine(dlq);
    queues[spec.id] = queue;
    deadLetterQueues[spec.id] = dlq;
  }

  // Failed asynchronous runs: deliveries EventBridge Scheduler gave up on, and asynchronous invocations (scheduled
  // runs, SNS notifications) that still failed after Lambda's own retries. Created only if the manifest has any.
  let scheduleDlq: Queue | undefined;
  if (manifestFunctions.some(isAsyncInvoked)) {
    scheduleDlq = new Queue(stack, 'schedules-dlq', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    alarmOnMessages(scheduleDlq, 'SchedulesDlqAlarm', 'Failed scheduled runs and notifications');
    acknowledgeEndOfLine(scheduleDlq);
  }
  return { queues, deadLetterQueues, scheduleDlq };
}

/** A dead-letter queue is the end of the line: nothing consumes it, so it has no redrive policy of its own. */
function acknowledgeEndOfLine(dlq: Queue): void {
  acknowledge(
    dlq,
    'Serverless-SQSRedrivePolicy',
    'A dead-letter queue: no function consumes it (operators inspect and redrive its messages by hand), so there is ' +
      'no receive count to exceed and nowhere further to send them; any message in it raises its alarm.',
  );
}
