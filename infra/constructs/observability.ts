/**
 * Production observability: alarms (to the one alarm topic) on every function's errors and throttles, the API's 5xx,
 * SES reputation (bounce and complaint rate of the configuration set), scheduled runs EventBridge Scheduler could
 * not deliver and the outbox relay's stream iterator age; and one CloudWatch dashboard with those plus per-function invocations and duration and every
 * dead-letter queue's depth. (The dead-letter queue alarms themselves are made with the queues, alarms.ts.)
 */
import { Duration, type Stack } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
  type IAlarm,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { KIND_DIMENSION, METRICS_NAMESPACE, SERVICE_DIMENSION, type BusinessMetric } from '../../shared/metrics.ts';
import type { ManifestFunction } from '../manifest-function.ts';
import { pascal } from './names.ts';

/** Evaluation period of the alarms. */
export const ALARM_PERIOD = Duration.minutes(5);
/**
 * SES reputation thresholds (fractions, as SES reports them). AWS reviews an account at a 5 % bounce rate and 0.1 %
 * complaint rate (and may pause sending at 10 % / 0.5 %); the alarms fire before a review: 4 % and 0.08 %.
 */
export const SES_BOUNCE_RATE_THRESHOLD = 0.04;
export const SES_COMPLAINT_RATE_THRESHOLD = 0.0008;
/**
 * Iterator age (ms) at which a stream-triggered function (the outbox relay) alarms: its oldest record waited this long,
 * so events go out late — the function is failing on a record or cannot keep up. The sweep would publish records left
 * pending after its grace period, but a stream falling behind is a fault to look at.
 */
export const STREAM_ITERATOR_AGE_THRESHOLD_MS = 5 * 60_000;
/** The schedule group the stack's schedules live in (EventBridge Scheduler's metrics are per group). */
export const SCHEDULE_GROUP = 'default';
/**
 * The straight-through rate (incoming payments applied by the rules / all incoming payments decided, business metrics
 * PaymentsApplied and PaymentsSentToReview) alarms below 50 % over 6 hours with at least 20 decisions: a sudden fall
 * means references stopped matching (a bank changed its format, Stripe metadata went missing, invoices were issued
 * without references) and staff are about to drown in review work while customers who paid get reminders.
 */
export const STRAIGHT_THROUGH_RATE_THRESHOLD_PERCENT = 50;
export const STRAIGHT_THROUGH_MIN_DECISIONS = 20;
export const STRAIGHT_THROUGH_PERIOD = Duration.hours(6);
/** Payments waiting in review (the PaymentsInReview gauge, every 5 minutes) at which the backlog alarms. */
export const REVIEW_BACKLOG_THRESHOLD = 50;
/**
 * The reminder run (hourly) alarms when its jobs are still finishing this long after it fired (ReminderRunElapsed,
 * Maximum over the hour): it is close to running into the next run, reminders go out late.
 */
export const REMINDER_RUN_DURATION_THRESHOLD_MS = 45 * 60_000;
/** The service dimension of the business metrics: the POWERTOOLS_SERVICE_NAME the stack gives every function. */
export const METRICS_SERVICE = 'collections';

export interface ObservabilityProps {
  readonly alarmTopic: Topic;
  readonly functions: Readonly<Record<string, ManifestFunction>>;
  readonly api: HttpApi;
  /** Every dead-letter queue (manifest queues' and the failed-runs queue), with a label, for the dashboard. */
  readonly deadLetterQueues: readonly { label: string; queue: Queue }[];
  readonly configurationSetName: string;
}

export interface Observability {
  readonly dashboard: Dashboard;
  /** Per function name: its Errors and Throttles alarms. */
  readonly functionAlarms: Record<string, { errors: Alarm; throttles: Alarm }>;
  readonly api5xxAlarm: Alarm;
  readonly sesBounceRateAlarm: Alarm;
  readonly sesComplaintRateAlarm: Alarm;
  readonly scheduleDeliveryAlarm: Alarm;
  /** Per stream-triggered function (the outbox relay): its iterator-age alarm. */
  readonly iteratorAgeAlarms: Record<string, Alarm>;
  /** A webhook delivery was given up (dead-lettered): staff look and redeliver. */
  readonly webhookDeadLetterAlarm: Alarm;
  /** Business metrics (shared/metrics.ts): the straight-through rate fell, the review backlog grew, the reminder run is slow. */
  readonly straightThroughRateAlarm: Alarm;
  readonly reviewBacklogAlarm: Alarm;
  readonly reminderRunDurationAlarm: Alarm;
}

export function createObservability(stack: Stack, props: ObservabilityProps): Observability {
  const action = new SnsAction(props.alarmTopic);
  const alarm = (id: string, metric: IMetric, threshold: number, description: string): Alarm => {
    const a = new Alarm(stack, id, {
      alarmDescription: description,
      metric,
      threshold,
      comparisonOperator:
        threshold === 0 ? ComparisonOperator.GREATER_THAN_THRESHOLD : ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    a.addAlarmAction(action);
    return a;
  };

  // ---- Lambda: errors and throttles of every function ---------------------------------------------------------
  const functionAlarms: Observability['functionAlarms'] = {};
  const fns = Object.values(props.functions);
  for (const mf of fns) {
    const name = mf.spec.name;
    functionAlarms[name] = {
      errors: alarm(
        `${pascal(name)}ErrorsAlarm`,
        mf.fn.metricErrors({ period: ALARM_PERIOD, statistic: 'Sum' }),
        0,
        `${name}: invocations failed (Lambda Errors > 0 in 5 min); see its log group and X-Ray traces.`,
      ),
      throttles: alarm(
        `${pascal(name)}ThrottlesAlarm`,
        mf.fn.metricThrottles({ period: ALARM_PERIOD, statistic: 'Sum' }),
        0,
        `${name}: invocations throttled (Lambda Throttles > 0 in 5 min); check account concurrency.`,
      ),
    };
  }

  // ---- Stream-triggered functions: how far behind the stream they are -----------------------------------------
  const iteratorAgeAlarms: Observability['iteratorAgeAlarms'] = {};
  const iteratorAge = (mf: ManifestFunction, label?: string) =>
    mf.fn.metric('IteratorAge', { period: ALARM_PERIOD, statistic: 'Maximum', ...(label ? { label } : {}) });
  const streamFns = fns.filter((mf) => mf.spec.triggers.some((t) => t.type === 'stream'));
  for (const mf of streamFns) {
    iteratorAgeAlarms[mf.spec.name] = alarm(
      `${pascal(mf.spec.name)}IteratorAgeAlarm`,
      iteratorAge(mf),
      STREAM_ITERATOR_AGE_THRESHOLD_MS,
      `${mf.spec.name}: the oldest table-stream record waited ${STREAM_ITERATOR_AGE_THRESHOLD_MS / 60_000} min or more ` +
        '(IteratorAge); events go out late — see its errors and the stream on-failure queue.',
    );
  }

  // ---- API: 5xx ------------------------------------------------------------------------------------------------
  const api5xx = props.api.metricServerError({ period: ALARM_PERIOD, statistic: 'Sum' });
  const api5xxAlarm = alarm('Api5xxAlarm', api5xx, 0, 'HTTP API answered 5xx (a bug or an integration failure).');

  // ---- SES reputation of the configuration set ------------------------------------------------------------------
  const sesMetric = (metricName: string) =>
    new Metric({
      namespace: 'AWS/SES',
      metricName,
      dimensionsMap: { 'ses:configuration-set': props.configurationSetName },
      period: Duration.hours(1),
      statistic: 'Maximum',
    });
  const bounceRate = sesMetric('Reputation.BounceRate');
  const complaintRate = sesMetric('Reputation.ComplaintRate');
  const sesBounceRateAlarm = alarm(
    'SesBounceRateAlarm',
    bounceRate,
    SES_BOUNCE_RATE_THRESHOLD,
    `SES bounce rate of the configuration set at ${SES_BOUNCE_RATE_THRESHOLD * 100} % or more (AWS reviews at 5 %).`,
  );
  const sesComplaintRateAlarm = alarm(
    'SesComplaintRateAlarm',
    complaintRate,
    SES_COMPLAINT_RATE_THRESHOLD,
    `SES complaint rate of the configuration set at ${SES_COMPLAINT_RATE_THRESHOLD * 100} % or more (AWS reviews at 0.1 %).`,
  );

  // ---- Scheduled runs that did not complete ---------------------------------------------------------------------
  // A run fails either in the function (its Errors alarm; after Lambda's retries the event lands in the failed-runs
  // queue, whose depth alarm exists) or before it: EventBridge Scheduler could not invoke the target (TargetErrorCount)
  // or dropped the invocation (InvocationDroppedCount). This alarm covers the latter.
  const schedulerMetric = (metricName: string) =>
    new Metric({
      namespace: 'AWS/Scheduler',
      metricName,
      dimensionsMap: { ScheduleGroup: SCHEDULE_GROUP },
      period: ALARM_PERIOD,
      statistic: 'Sum',
    });
  const scheduleFailures = new MathExpression({
    expression: 'FILL(targetErrors, 0) + FILL(dropped, 0)',
    usingMetrics: {
      targetErrors: schedulerMetric('TargetErrorCount'),
      dropped: schedulerMetric('InvocationDroppedCount'),
    },
    label: 'Scheduled runs not delivered',
    period: ALARM_PERIOD,
  });
  const scheduleDeliveryAlarm = alarm(
    'ScheduledRunsNotDeliveredAlarm',
    scheduleFailures,
    0,
    'EventBridge Scheduler could not invoke a scheduled function or dropped the run (TargetErrorCount + ' +
      'InvocationDroppedCount); a scheduled run did not happen.',
  );

  // ---- Webhook deliveries given up -------------------------------------------------------------------------------
  // A delivery whose every attempt failed (the Standard Webhooks schedule: about 28 hours of retries) is a dead letter
  // waiting for staff (GET /subscriptions/{id}/deliveries?status=failed, then POST …/retry): any one raises the alarm.
  // The worker counts them as business metrics (shared/metrics.ts, EMF), with the service dimension every function's
  // POWERTOOLS_SERVICE_NAME gives.
  const webhookMetric = (metricName: BusinessMetric, label?: string) =>
    new Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { [SERVICE_DIMENSION]: 'collections' },
      period: ALARM_PERIOD,
      statistic: 'Sum',
      ...(label ? { label } : {}),
    });
  const webhookDeadLetterAlarm = alarm(
    'WebhookDeadLettersAlarm',
    webhookMetric('WebhookDeliveriesDeadLettered'),
    0,
    'A webhook delivery was dead-lettered: the subscriber refused every attempt of the retry schedule. See ' +
      'GET /subscriptions/{id}/deliveries?status=failed; redeliver with POST /subscriptions/{id}/deliveries/{eventId}/retry.',
  );

  // ---- Business metrics (shared/metrics.ts, EMF) -----------------------------------------------------------------
  const business = (metricName: BusinessMetric, statistic: string, period: Duration, label?: string) =>
    new Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { [SERVICE_DIMENSION]: METRICS_SERVICE }, period, statistic, ...(label ? { label } : {}) });
  // Rate = applied / (applied + sent to review); with fewer decisions than the minimum it reads 100 (no alarm on 1 of 2).
  const straightThroughRate = (period: Duration) =>
    new MathExpression({
      expression:
        `IF(FILL(applied, 0) + FILL(review, 0) >= ${STRAIGHT_THROUGH_MIN_DECISIONS}, ` +
        '100 * FILL(applied, 0) / (FILL(applied, 0) + FILL(review, 0)), 100)',
      usingMetrics: {
        applied: business('PaymentsApplied', 'Sum', period),
        review: business('PaymentsSentToReview', 'Sum', period),
      },
      label: 'Straight-through rate (%)',
      period,
    });
  const straightThroughRateAlarm = new Alarm(stack, 'StraightThroughRateAlarm', {
    alarmDescription:
      `Straight-through rate below ${STRAIGHT_THROUGH_RATE_THRESHOLD_PERCENT} % over ${STRAIGHT_THROUGH_PERIOD.toHours()} h ` +
      `(incoming payments applied by the rules / all decided, at least ${STRAIGHT_THROUGH_MIN_DECISIONS} decisions): ` +
      'references stopped matching? Look at the reasons of the payments in review (GET /payments?status=unapplied).',
    metric: straightThroughRate(STRAIGHT_THROUGH_PERIOD),
    threshold: STRAIGHT_THROUGH_RATE_THRESHOLD_PERCENT,
    comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  straightThroughRateAlarm.addAlarmAction(action);
  // Alarms read the metrics without a label (a labelled metric becomes a metric-math query in the alarm).
  const inReview = business('PaymentsInReview', 'Maximum', Duration.minutes(15));
  const reviewBacklogAlarm = alarm(
    'ReviewBacklogAlarm',
    inReview,
    REVIEW_BACKLOG_THRESHOLD,
    `${REVIEW_BACKLOG_THRESHOLD} or more payments wait in review (PaymentsInReview): their customers' invoices stay open ` +
      'and may be reminded; staff allocate them (GET /payments?status=unapplied, POST /payments/{id}/allocations).',
  );
  const reminderRunElapsed = business('ReminderRunElapsed', 'Maximum', Duration.hours(1));
  const reminderRunDurationAlarm = alarm(
    'ReminderRunDurationAlarm',
    reminderRunElapsed,
    REMINDER_RUN_DURATION_THRESHOLD_MS,
    `The hourly reminder run's jobs were still finishing ${REMINDER_RUN_DURATION_THRESHOLD_MS / 60_000} min after it fired ` +
      '(ReminderRunElapsed): reminders go out late; see the collections queue depth and the worker\'s errors and throttles.',
  );

  // ---- Dashboard ------------------------------------------------------------------------------------------------
  const dashboard = new Dashboard(stack, 'Dashboard', { defaultInterval: Duration.hours(24) });
  const perFunction = (metric: (mf: ManifestFunction) => IMetric) => fns.map(metric);
  const allAlarms: IAlarm[] = [
    ...Object.values(functionAlarms).flatMap((a) => [a.errors, a.throttles]),
    api5xxAlarm,
    sesBounceRateAlarm,
    sesComplaintRateAlarm,
    scheduleDeliveryAlarm,
    ...Object.values(iteratorAgeAlarms),
    webhookDeadLetterAlarm,
    straightThroughRateAlarm,
    reviewBacklogAlarm,
    reminderRunDurationAlarm,
  ];
  dashboard.addWidgets(
    new TextWidget({
      markdown:
        '# Collections\nAlarms go to the alarm topic. Dead-letter queues: inspect and redrive. Traces: X-Ray (Lambda only; HTTP APIs have no X-Ray).',
      width: 24,
      height: 2,
    }),
  );
  dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: allAlarms, width: 24, height: 6 }));
  dashboard.addWidgets(
    new GraphWidget({
      title: 'API requests and errors',
      left: [props.api.metricCount({ period: ALARM_PERIOD, statistic: 'Sum' })],
      right: [api5xx, props.api.metricClientError({ period: ALARM_PERIOD, statistic: 'Sum' })],
      width: 12,
    }),
    new GraphWidget({
      title: 'API latency (p99)',
      left: [props.api.metricLatency({ period: ALARM_PERIOD, statistic: 'p99' })],
      right: [props.api.metricIntegrationLatency({ period: ALARM_PERIOD, statistic: 'p99' })],
      width: 12,
    }),
  );
  dashboard.addWidgets(
    new GraphWidget({
      title: 'Lambda invocations',
      left: perFunction((mf) => mf.fn.metricInvocations({ period: ALARM_PERIOD, statistic: 'Sum', label: mf.spec.name })),
      width: 12,
    }),
    new GraphWidget({
      title: 'Lambda duration (p99, ms)',
      left: perFunction((mf) => mf.fn.metricDuration({ period: ALARM_PERIOD, statistic: 'p99', label: mf.spec.name })),
      width: 12,
    }),
  );
  dashboard.addWidgets(
    new GraphWidget({
      title: 'Lambda errors',
      left: perFunction((mf) => mf.fn.metricErrors({ period: ALARM_PERIOD, statistic: 'Sum', label: mf.spec.name })),
      width: 12,
    }),
    new GraphWidget({
      title: 'Lambda throttles',
      left: perFunction((mf) => mf.fn.metricThrottles({ period: ALARM_PERIOD, statistic: 'Sum', label: mf.spec.name })),
      width: 12,
    }),
  );
  dashboard.addWidgets(
    new GraphWidget({
      title: 'Dead-letter queues (messages waiting)',
      left: props.deadLetterQueues.map(({ label, queue }) =>
        queue.metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD, statistic: 'Maximum', label }),
      ),
      width: 8,
    }),
    new GraphWidget({
      title: 'SES reputation (configuration set)',
      left: [bounceRate, complaintRate],
      leftAnnotations: [
        { value: SES_BOUNCE_RATE_THRESHOLD, label: 'bounce alarm' },
        { value: SES_COMPLAINT_RATE_THRESHOLD, label: 'complaint alarm' },
      ],
      width: 8,
    }),
    new GraphWidget({
      title: 'Scheduled runs (EventBridge Scheduler)',
      left: [schedulerMetric('InvocationAttemptCount'), scheduleFailures],
      width: 8,
    }),
  );

  if (streamFns.length > 0) {
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Table stream: iterator age (max, ms)',
        left: streamFns.map((mf) => iteratorAge(mf, `${mf.spec.name} iterator age`)),
        leftAnnotations: [{ value: STREAM_ITERATOR_AGE_THRESHOLD_MS, label: 'alarm' }],
        width: 12,
      }),
    );
  }

  dashboard.addWidgets(
    new GraphWidget({
      title: 'Webhook deliveries (failed attempts, dead letters)',
      left: [
        webhookMetric('WebhookDeliveriesFailed', 'failed attempts (retried)'),
        webhookMetric('WebhookDeliveriesDeadLettered', 'dead-lettered (every attempt failed)'),
      ],
      width: 12,
    }),
  );

  // What the business did, per hour: payments, review, mail, reminder runs, events out, failing queue messages.
  const hourly = (metricName: BusinessMetric, label: string) => business(metricName, 'Sum', Duration.hours(1), label);
  dashboard.addWidgets(
    new TextWidget({
      markdown:
        '## Business\nCounts per hour from the functions\' EMF lines (namespace `Collections`). Follow one payment or run in ' +
        'the logs by its `correlation_id` (CloudWatch Logs Insights: `filter correlation_id = "…"`), also on its mails and events out.',
      width: 24,
      height: 2,
    }),
  );
  dashboard.addWidgets(
    new GraphWidget({
      title: 'Payments decided (per hour)',
      left: [
        hourly('PaymentsApplied', 'applied by the rules'),
        hourly('PaymentsSentToReview', 'sent to review'),
        hourly('PaymentsAllocatedByStaff', 'allocated by staff'),
        hourly('PaymentsReversedByStaff', 'reversed by staff'),
        hourly('ManualPaymentsRecorded', 'recorded by staff'),
      ],
      width: 8,
    }),
    new GraphWidget({
      title: 'Straight-through rate (%)',
      left: [straightThroughRate(Duration.hours(1))],
      leftYAxis: { min: 0, max: 100 },
      leftAnnotations: [{ value: STRAIGHT_THROUGH_RATE_THRESHOLD_PERCENT, label: `alarm (over ${STRAIGHT_THROUGH_PERIOD.toHours()} h)` }],
      width: 8,
    }),
    new GraphWidget({
      title: 'Payments waiting in review',
      left: [inReview.with({ label: 'payments in review' })],
      leftAnnotations: [{ value: REVIEW_BACKLOG_THRESHOLD, label: 'alarm' }],
      width: 8,
    }),
  );
  dashboard.addWidgets(
    new GraphWidget({
      title: 'Mail (per hour)',
      left: [
        hourly('MailsSent', 'sent'),
        hourly('MailsSuppressed', 'not sent: address suppressed'),
        hourly('MailsBounced', 'bounced (permanent)'),
        hourly('MailComplaints', 'complaints'),
      ],
      width: 8,
    }),
    new GraphWidget({
      title: 'Mails sent by kind (per hour)',
      left: [
        new MathExpression({
          expression: `SEARCH('{${METRICS_NAMESPACE},${KIND_DIMENSION},${SERVICE_DIMENSION}} MetricName="MailsSent" ${SERVICE_DIMENSION}="${METRICS_SERVICE}"', 'Sum', 3600)`,
          usingMetrics: {},
          label: '',
          period: Duration.hours(1),
        }),
      ],
      width: 8,
    }),
    new GraphWidget({
      title: 'Reminder runs',
      left: [hourly('ReminderRuns', 'runs started')],
      right: [reminderRunElapsed.with({ label: 'run duration (max elapsed since it fired, ms)' })],
      rightAnnotations: [{ value: REMINDER_RUN_DURATION_THRESHOLD_MS, label: 'alarm' }],
      width: 8,
    }),
  );
  dashboard.addWidgets(
    new GraphWidget({
      title: 'Events out (per hour)',
      left: [hourly('EventsPublished', 'events published')],
      width: 12,
    }),
    new GraphWidget({
      title: 'Queue messages that failed (per hour)',
      left: [hourly('QueueMessagesFailed', 'failed (retried, then dead-lettered)'), hourly('QueueMessagesDropped', 'dropped (permanent error)')],
      width: 12,
    }),
  );

  return {
    dashboard,
    functionAlarms,
    api5xxAlarm,
    sesBounceRateAlarm,
    sesComplaintRateAlarm,
    scheduleDeliveryAlarm,
    iteratorAgeAlarms,
    webhookDeadLetterAlarm,
    straightThroughRateAlarm,
    reviewBacklogAlarm,
    reminderRunDurationAlarm,
  };
}
