/**
 * Business metrics (shared/metrics.ts): what a flush writes is CloudWatch EMF — the `_aws` block naming the namespace,
 * the dimension set and each metric with its unit, and the values at the top level — once per invocation, from the
 * edges. Metrics are off in the tests (vitest.config.ts); this file turns them on for itself before the first use.
 */
import type { APIGatewayProxyEventV2, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { jsonOutput } from '../support/output.ts';

// Before the first metric is recorded: the Metrics instance reads it when it is made (on first use).
vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
afterEach(() => vi.restoreAllMocks());

const { BUSINESS_METRICS, flushMetrics, kindFamily, METRICS_NAMESPACE, recordMetric } = await import('../../shared/metrics.ts');
const { httpHandler, json } = await import('../../shared/http/api.ts');
const { sqsHandler } = await import('../../shared/handlers/sqs-batch.ts');

interface Emf {
  _aws: { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}


const emfLines = (lines: Record<string, unknown>[]) => lines.filter((l): l is Emf => typeof l._aws === 'object');

describe('a flush', () => {
  it('writes one EMF line: namespace Collections, dimension service, each metric with its unit, values at the top level', async () => {
    const lines = await jsonOutput(() => {
      recordMetric('PaymentsApplied');
      recordMetric('PaymentsApplied');
      recordMetric('PaymentsSentToReview');
      recordMetric('ReminderRunElapsed', 1_234);
      flushMetrics();
    });
    const emf = emfLines(lines);
    expect(emf).toHaveLength(1);
    const [line] = emf as [Emf];
    expect(typeof line._aws.Timestamp).toBe('number');
    expect(Math.abs(line._aws.Timestamp - Date.now())).toBeLessThan(60_000);
    expect(line._aws.CloudWatchMetrics).toHaveLength(1);
    const [directive] = line._aws.CloudWatchMetrics;
    expect(directive!.Namespace).toBe(METRICS_NAMESPACE);
    expect(directive!.Dimensions).toEqual([['service']]);
    expect(directive!.Metrics).toEqual(
      expect.arrayContaining([
        { Name: 'PaymentsApplied', Unit: 'Count' },
        { Name: 'PaymentsSentToReview', Unit: 'Count' },
        { Name: 'ReminderRunElapsed', Unit: 'Milliseconds' },
      ]),
    );
    expect(directive!.Metrics).toHaveLength(3);
    expect(line.service).toBe('collections');
    // Two points of one metric in one invocation: both values (CloudWatch sums them).
    expect(line.PaymentsApplied).toEqual([1, 1]);
    expect(line.PaymentsSentToReview).toBe(1);
    expect(line.ReminderRunElapsed).toBe(1_234);
  });

  it('clears what it wrote: the next flush writes nothing, and an empty flush prints nothing (no warning either)', async () => {
    const lines = await jsonOutput(() => {
      recordMetric('MailsSuppressed');
      flushMetrics();
      flushMetrics();
    });
    expect(emfLines(lines)).toHaveLength(1);
    expect(lines).toHaveLength(1);
  });

  it('ignores a value that is not a finite, non-negative number instead of failing the work', async () => {
    const lines = await jsonOutput(() => {
      recordMetric('ReminderRunElapsed', -5);
      recordMetric('ReminderRunElapsed', Number.NaN);
      recordMetric('ReminderRunElapsed', Number.POSITIVE_INFINITY);
      flushMetrics();
    });
    expect(lines).toEqual([]);
  });
});

describe('the per-kind series', () => {
  it('writes the point at once with the dimensions service and kind (the kind\'s family), and keeps the total for the flush', async () => {
    const lines = await jsonOutput(() => {
      recordMetric('MailsSent', 1, { kind: 'reminder:friendly_first' });
      recordMetric('MailsSent', 1, { kind: 'receipt' });
    });
    const byKind = emfLines(lines);
    expect(byKind).toHaveLength(2);
    expect(byKind[0]!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service', 'kind']]);
    expect(byKind[0]).toMatchObject({ service: 'collections', kind: 'reminder', MailsSent: 1 });
    expect(byKind[1]).toMatchObject({ kind: 'receipt', MailsSent: 1 });

    const total = emfLines(await jsonOutput(() => flushMetrics()));
    expect(total).toHaveLength(1);
    expect(total[0]!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service']]);
    expect(total[0]!.MailsSent).toEqual([1, 1]);
  });

  it('keeps the dimension to a short list fixed in code: the family before ":", anything odd as "other"', () => {
    expect(kindFamily('reminder:first')).toBe('reminder');
    expect(kindFamily('fresh_link:preferences')).toBe('fresh_link');
    expect(kindFamily('statement')).toBe('statement');
    expect(kindFamily('Weird Kind')).toBe('other');
    expect(kindFamily('')).toBe('other');
  });
});

describe('the edges flush once per invocation', () => {
  const event = (): APIGatewayProxyEventV2 =>
    ({
      version: '2.0',
      routeKey: 'GET /health',
      rawPath: '/health',
      rawQueryString: '',
      headers: {},
      requestContext: { requestId: 'req-1', timeEpoch: Date.now(), http: { method: 'GET', path: '/health' } },
      isBase64Encoded: false,
    }) as unknown as APIGatewayProxyEventV2;

  it('HTTP: the metrics a request records leave in one line when it ends — also when the route fails', async () => {
    const ok = httpHandler({
      'GET /health': async () => {
        recordMetric('PaymentsAllocatedByStaff');
        recordMetric('PaymentsReversedByStaff');
        return json(200, { status: 'ok' });
      },
    });
    const failing = httpHandler({
      'GET /health': async () => {
        recordMetric('ManualPaymentsRecorded');
        throw new Error('bug');
      },
    });
    const first = emfLines(await jsonOutput(() => ok(event(), {} as never)));
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ PaymentsAllocatedByStaff: 1, PaymentsReversedByStaff: 1 });
    const second = await jsonOutput(async () => expect((await failing(event(), {} as never)).statusCode).toBe(500));
    expect(emfLines(second)).toHaveLength(1);
    expect(emfLines(second)[0]).toMatchObject({ ManualPaymentsRecorded: 1 });
    expect(emfLines(second)[0]!.PaymentsAllocatedByStaff).toBeUndefined();
  });

  it('SQS: one line per batch, failures counted, nothing carried into the next batch', async () => {
    const record = (id: string, body: string) => ({ messageId: id, body, attributes: { ApproximateReceiveCount: '1' } }) as unknown as SQSRecord;
    const handler = sqsHandler(
      async (r) => {
        if (r.body === 'boom') throw new Error('try again');
        recordMetric('PaymentsApplied');
      },
      { what: 'message' },
    );
    const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });
    const first = emfLines(await jsonOutput(() => handler(batch(record('a', 'ok'), record('b', 'boom'), record('c', 'ok')))));
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ PaymentsApplied: [1, 1], QueueMessagesFailed: 1 });
    const second = emfLines(await jsonOutput(() => handler(batch(record('d', 'ok')))));
    expect(second).toHaveLength(1);
    expect(second[0]!.PaymentsApplied).toBe(1);
    expect(second[0]!.QueueMessagesFailed).toBeUndefined();
  });
});

describe('the table', () => {
  it('names every metric in CloudWatch\'s rules (1–255 ASCII characters, no colon) with a unit and a meaning', () => {
    for (const [name, spec] of Object.entries(BUSINESS_METRICS)) {
      expect(name).toMatch(/^[A-Za-z][A-Za-z0-9]{0,254}$/);
      expect(['Count', 'Milliseconds']).toContain(spec.unit);
      expect(spec.description.length).toBeGreaterThan(10);
    }
  });
});
