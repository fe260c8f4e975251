/**
 * Business metrics as CloudWatch EMF (Powertools Metrics): one JSON line on stdout per flush, which CloudWatch turns
 * into metrics of the namespace `Collections` with the dimension `service` — no API call, nothing to wait for.
 *
 * Anyone records with `recordMetric(name)`; the edges flush once per invocation (shared/http/api.ts, shared/handlers/*
 * call `flushMetrics` when the invocation ends, success or not). The names, units and meanings are declared once,
 * below: the dashboard and alarms (infra/constructs/observability.ts) read the same table.
 *
 * Dimensions are few on purpose (each distinct combination is a billed metric and a series to look at): `service`
 * on everything, and `kind` on the per-kind copy of `MailsSent` — a mail kind's family (`reminder`, `receipt`, …, the
 * part before `:`), a short list fixed in code. Never a customer, invoice or payment id, never an amount's currency
 * as a dimension. Amounts are not metrics: money is reported from the ledger (GET /reports/kpis), exactly.
 *
 * Off in the local runtime and the tests (`POWERTOOLS_METRICS_DISABLED=true`, set by local/start.ts unless given):
 * nothing is printed there unless asked. Recording never fails the work it measures: a metric that cannot be
 * recorded is logged and dropped.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { serviceName } from './config/runtime.ts';
import { errorForLog, logger } from './logger.ts';

/** The CloudWatch namespace of every business metric. */
export const METRICS_NAMESPACE = 'Collections';
/** The dimension every business metric carries (Powertools' default dimension: the service name). */
export const SERVICE_DIMENSION = 'service';
/** The extra dimension of the per-kind copy of a metric (`MailsSent`). */
export const KIND_DIMENSION = 'kind';

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

/** Every business metric: its unit, what one data point means and who records it. */
export const BUSINESS_METRICS = {
  PaymentsApplied: {
    unit: MetricUnit.Count,
    description: 'An incoming payment (Stripe, bank) applied by the rules, no person involved (reconcile worker).',
  },
  PaymentsSentToReview: {
    unit: MetricUnit.Count,
    description: 'An incoming payment (Stripe, bank) left waiting for a person: ambiguous, unknown payer, no match (reconcile worker).',
  },
  PaymentsInReview: {
    unit: MetricUnit.Count,
    description: 'How many payments wait in review (money not applied yet), counted every 5 minutes (inbox-redrive): a gauge, read its Maximum.',
  },
  PaymentsAllocatedByStaff: {
    unit: MetricUnit.Count,
    description: 'Staff applied money waiting in review (POST /payments/{id}/allocations).',
  },
  PaymentsReversedByStaff: {
    unit: MetricUnit.Count,
    description: 'Staff reversed an allocation; the money waits in review again (POST /payments/{id}/allocations/{invoiceId}/reverse).',
  },
  ManualPaymentsRecorded: {
    unit: MetricUnit.Count,
    description: 'A payment staff recorded by hand (POST /payments, new ones only).',
  },
  MailsSent: {
    unit: MetricUnit.Count,
    description: 'A mail SES accepted (also recorded per kind: dimension `kind`).',
  },
  MailsSuppressed: {
    unit: MetricUnit.Count,
    description: 'A mail not sent because SES had reported its address (permanent bounce or complaint).',
  },
  MailsBounced: {
    unit: MetricUnit.Count,
    description: 'A permanent bounce SES reported (ses-events).',
  },
  MailComplaints: {
    unit: MetricUnit.Count,
    description: 'A complaint (marked as spam) SES reported (ses-events).',
  },
  ReminderRuns: {
    unit: MetricUnit.Count,
    description: 'A reminder run started by its schedule (the hourly sweep fanned out).',
  },
  ReminderRunElapsed: {
    unit: MetricUnit.Milliseconds,
    description:
      'Recorded by each job of a reminder run when it is done: the time since the run fired. Its Maximum over the hour is the run\'s duration (from the schedule to its last job).',
  },
  QueueMessagesFailed: {
    unit: MetricUnit.Count,
    description: 'A queue message whose handler failed; it is retried, then dead-lettered (any queue worker).',
  },
  QueueMessagesDropped: {
    unit: MetricUnit.Count,
    description: 'A queue message that failed permanently (redelivery cannot help) and was dropped, logged (any queue worker).',
  },
  EventsPublished: {
    unit: MetricUnit.Count,
    description: 'An event out published to EventBridge (outbox relay).',
  },
  WebhookDeliveriesFailed: {
    unit: MetricUnit.Count,
    description: 'A webhook delivery attempt a subscriber did not accept (it will be retried with backoff).',
  },
  WebhookDeliveriesDeadLettered: {
    unit: MetricUnit.Count,
    description: 'A webhook delivery given up after its last retry (a dead-letter record staff can replay).',
  },
} as const satisfies Record<string, { unit: Unit; description: string }>;

export type BusinessMetric = keyof typeof BUSINESS_METRICS;

let sink: Metrics | undefined;

/** The one Metrics instance, made on first use (so importing the names, as the CDK app does, builds nothing). */
function metricsSink(): Metrics {
  sink ??= new Metrics({ namespace: METRICS_NAMESPACE, serviceName: serviceName() });
  return sink;
}

/** The family of a mail kind, for the `kind` dimension: `reminder:first` → `reminder`, `receipt` → `receipt`. */
export function kindFamily(kind: string): string {
  const family = kind.split(':')[0] ?? '';
  return /^[a-z][a-z0-9_]{0,39}$/.test(family) ? family : 'other';
}

/**
 * Records one data point of a business metric (a count of 1 unless given), flushed with the invocation. With
 * `kind`, the point is also recorded in the per-kind series (dimensions `service` + `kind`, emitted at once).
 */
export function recordMetric(name: BusinessMetric, value = 1, options: { kind?: string } = {}): void {
  if (!Number.isFinite(value) || value < 0) return;
  const { unit } = BUSINESS_METRICS[name];
  try {
    const metrics = metricsSink();
    metrics.addMetric(name, unit, value);
    if (options.kind !== undefined) {
      const single = metrics.singleMetric();
      single.addDimension(KIND_DIMENSION, kindFamily(options.kind));
      single.addMetric(name, unit, value);
    }
  } catch (error) {
    logger.warn('metric not recorded', { metric: name, error: errorForLog(error) });
  }
}

/**
 * Writes the invocation's metrics (one EMF line) and clears them. Called by the edges when an invocation ends; a
 * no-op when nothing was recorded (Powertools would warn about an empty flush) or metrics are disabled.
 */
export function flushMetrics(): void {
  try {
    const metrics = metricsSink();
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  } catch (error) {
    logger.warn('metrics not flushed', { error: errorForLog(error) });
  }
}
