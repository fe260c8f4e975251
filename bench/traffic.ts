/**
 * The parts that drive the running local stack over HTTP: (a) webhook ack latency next to GET /health, (b) payments
 * applied per second end to end, plus the queue drain and the raw DynamoDB Local transaction rate next to them.
 */
import { stripePaymentIntentEvent } from '../local/events.ts';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, PurgeQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import Stripe from 'stripe';
import { cpuBetween, type BenchStack } from './stack.ts';
import { Http } from './http.ts';
import { round, runBounded, sleep, summarise } from './stats.ts';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export function sqsClient(stack: BenchStack): SQSClient {
  return new SQSClient({ endpoint: stack.sqsEndpoint, region: 'us-east-1', credentials });
}

export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<{ waiting: number; inFlight: number }> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return {
    waiting: Number(out.Attributes?.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

export function paymentSucceeded(runId: string, i: number, invoiceId: string, amount: number): string {
  return JSON.stringify(
    stripePaymentIntentEvent({ eventId: `evt_bench_${runId}_${i}`, paymentIntentId: `pi_bench_${runId}_${i}`, invoiceId, amount }),
  );
}

export function sign(payload: string, secret: string): string {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret });
}

interface LoadResult {
  requests: number;
  concurrency: number;
  ok: number;
  errors: number;
  statuses: Record<string, number>;
  wallMs: number;
  throughputPerS: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number; mean: number };
  timedOut: boolean;
}

async function load(n: number, concurrency: number, timeLimitMs: number, one: (i: number) => Promise<{ status: number; ms: number }>): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const run = await runBounded(n, concurrency, timeLimitMs, async (i) => {
    try {
      const r = await one(i);
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      if (r.status === 200) latencies.push(r.ms);
      else errors += 1;
    } catch {
      errors += 1;
      statuses.error = (statuses.error ?? 0) + 1;
    }
  });
  return {
    requests: run.started,
    concurrency,
    ok: latencies.length,
    errors,
    statuses,
    wallMs: round(run.wallMs, 0),
    throughputPerS: round(latencies.length / (run.wallMs / 1000), 1),
    latencyMs: summarise(latencies),
    timedOut: run.timedOut,
  };
}

/** (a) Webhook ack latency at fixed concurrencies, each next to GET /health on the same gateway. */
export async function webhookAck(
  stack: BenchStack,
  opts: { runs: { n: number; concurrency: number }[]; timeLimitMs: number; settleMs: number; runId: string; log: (s: string) => void },
) {
  const maxConcurrency = Math.max(...opts.runs.map((r) => r.concurrency));
  const http = new Http(stack.apiUrl, maxConcurrency * 2);
  const sqs = sqsClient(stack);
  try {
    // Warm-up (not measured): loads every handler module and opens connections.
    await load(50, maxConcurrency, 10_000, () => http.send('GET', '/health'));
    const warm = Array.from({ length: 20 }, (_, i) => paymentSucceeded(`${opts.runId}w`, i, `inv_bench_absent_w${i}`, 1000));
    await load(warm.length, 4, 10_000, (i) => http.send('POST', '/webhooks/stripe', warm[i], { 'stripe-signature': sign(warm[i] as string, stack.stripeWebhookSecret) }));

    const results = [];
    for (const [r, run] of opts.runs.entries()) {
      // Each run starts on an empty queue, so the worker is idle while GET /health is measured.
      const settled = await drainQueue(stack, opts.settleMs);
      opts.log(`  GET /health × ${run.n} at concurrency ${run.concurrency}…`);
      let c0 = stack.cpu();
      const health = { ...(await load(run.n, run.concurrency, opts.timeLimitMs, () => http.send('GET', '/health'))), cpu: cpuBetween(c0, stack.cpu()) };

      // Payloads and signatures made before the clock starts, so the client spends its CPU on sending only. The
      // events name invoices that do not exist: the worker records them as unapplied (review) payments.
      const payloads = Array.from({ length: run.n }, (_, i) => paymentSucceeded(`${opts.runId}a${r}`, i, `inv_bench_absent_${i}`, 1000 + i));
      const signatures = payloads.map((p) => sign(p, stack.stripeWebhookSecret));
      const before = await queueDepth(sqs, stack.paymentsQueueUrl);
      opts.log(`  POST /webhooks/stripe × ${run.n} at concurrency ${run.concurrency}…`);
      c0 = stack.cpu();
      const webhook = {
        ...(await load(run.n, run.concurrency, opts.timeLimitMs, (i) =>
          http.send('POST', '/webhooks/stripe', payloads[i], { 'stripe-signature': signatures[i] as string }),
        )),
        cpu: cpuBetween(c0, stack.cpu()),
      };
      const after = await queueDepth(sqs, stack.paymentsQueueUrl);
      const processedDuringAcks = Math.max(0, before.waiting + before.inFlight + webhook.ok - (after.waiting + after.inFlight));
      results.push({ concurrency: run.concurrency, queueBefore: settled, health, webhook, queueAfterAcks: after, processedDuringAcks });
    }
    return results;
  } finally {
    http.close();
    sqs.destroy();
  }
}

/**
 * How fast the single local worker drains the queue left by (a) (events naming no invoice: unapplied payments),
 * observed for at most `observeMs`; whatever is left is purged so that (b) starts on an empty queue.
 */
export async function drainQueue(stack: BenchStack, observeMs: number) {
  const sqs = sqsClient(stack);
  try {
    const depth = async () => {
      const d = await queueDepth(sqs, stack.paymentsQueueUrl);
      return d.waiting + d.inFlight;
    };
    const start = await depth();
    const t0 = performance.now();
    let last = start;
    while (last > 0 && performance.now() - t0 < observeMs) {
      await sleep(500);
      last = await depth();
    }
    const observedMs = performance.now() - t0;
    const drained = start - last;
    let purged = 0;
    if (last > 0) {
      purged = (await queueDepth(sqs, stack.paymentsQueueUrl)).waiting;
      await sqs.send(new PurgeQueueCommand({ QueueUrl: stack.paymentsQueueUrl }));
      // Let the batch in flight finish.
      const deadline = performance.now() + 15_000;
      while ((await depth()) > 0 && performance.now() < deadline) await sleep(250);
    }
    return {
      startDepth: start,
      drained,
      observedMs: round(observedMs, 0),
      perS: round(drained / (observedMs / 1000), 1),
      purged,
    };
  } finally {
    sqs.destroy();
  }
}

interface Created {
  id: string;
  amount: number;
}

/** K customers and K invoices through the admin API. */
export async function createInvoices(stack: BenchStack, k: number, concurrency: number, timeLimitMs: number, rand: () => number) {
  const http = new Http(stack.apiUrl, concurrency * 2);
  try {
    const customers: string[] = [];
    const t0 = performance.now();
    const c = await runBounded(k, concurrency, timeLimitMs, async (i) => {
      const body = { name: `Bench Customer ${i}`, email: `bench${i}@example.com`, locale: i % 2 ? 'de-DE' : 'en-GB', timeZone: 'Europe/Berlin' };
      customers[i] = (await http.admin<{ id: string }>('POST', '/customers', stack.adminKey, body)).id;
    });
    const customersMs = performance.now() - t0;
    const invoices: Created[] = [];
    const t1 = performance.now();
    const made = await runBounded(c.started, concurrency, timeLimitMs, async (i) => {
      const amount = 1000 + Math.floor(rand() * 200_000);
      const body = { customerId: customers[i], currency: 'EUR', amount, issueDate: '2026-05-01', dueDate: '2026-06-01' };
      const inv = await http.admin<{ id: string; balanceDue: number }>('POST', '/invoices', stack.adminKey, body);
      invoices[i] = { id: inv.id, amount: inv.balanceDue };
    });
    const invoicesMs = performance.now() - t1;
    return {
      invoices: invoices.filter(Boolean),
      customersPerS: round(c.started / (customersMs / 1000), 1),
      invoicesPerS: round(made.started / (invoicesMs / 1000), 1),
      createMs: round(customersMs + invoicesMs, 0),
    };
  } finally {
    http.close();
  }
}

/**
 * (b) K payment events for K invoices; from the first send until every invoice is paid. Progress is watched on the
 * queue (waiting + in flight, cheap: it does not touch DynamoDB or the handlers) — a message leaves the queue only
 * when the worker has finished it — and the end is confirmed by listing the paid invoices (GET /invoices?status=paid).
 */
export async function endToEnd(
  stack: BenchStack,
  invoices: Created[],
  opts: { concurrency: number; pollMs: number; deadlineMs: number; runId: string; log: (s: string) => void },
) {
  const http = new Http(stack.apiUrl, opts.concurrency * 2 + 2);
  const sqs = sqsClient(stack);
  try {
    const want = new Set(invoices.map((i) => i.id));
    const payloads = invoices.map((inv, i) => paymentSucceeded(`${opts.runId}b`, i, inv.id, inv.amount));
    const signatures = payloads.map((p) => sign(p, stack.stripeWebhookSecret));
    const paidCount = async () => {
      let cursor: string | undefined;
      let n = 0;
      for (let page = 0; page < 100; page++) {
        const q = `/invoices?status=paid&limit=100${cursor ? `&cursor=${cursor}` : ''}`;
        const out = await http.admin<{ items: { id: string }[]; nextCursor: string | null }>('GET', q, stack.adminKey);
        n += out.items.filter((i) => want.has(i.id)).length;
        if (!out.nextCursor) break;
        cursor = out.nextCursor;
      }
      return n;
    };
    const depth = async () => {
      const d = await queueDepth(sqs, stack.paymentsQueueUrl);
      return d.waiting + d.inFlight;
    };
    const initialDepth = await depth();

    const cpu0 = stack.cpu();
    const t0 = performance.now();
    const acks: number[] = [];
    let acked = 0;
    let ackErrors = 0;
    let lastAckMs = 0;
    const sending = runBounded(payloads.length, opts.concurrency, opts.deadlineMs, async (i) => {
      try {
        const r = await http.send('POST', '/webhooks/stripe', payloads[i], { 'stripe-signature': signatures[i] as string });
        if (r.status === 200) {
          acks.push(r.ms);
          acked += 1;
        } else ackErrors += 1;
      } catch {
        ackErrors += 1;
      }
      lastAckMs = performance.now() - t0;
    });
    let sendDone = false;
    void sending.then(() => (sendDone = true));
    // processed = acknowledged − still queued (a message is deleted only after the worker finished it).
    const timeline: [number, number][] = [];
    let processed = 0;
    while (performance.now() - t0 < opts.deadlineMs) {
      await sleep(opts.pollMs);
      processed = Math.max(0, acked - Math.max(0, (await depth()) - initialDepth));
      timeline.push([round(performance.now() - t0, 0), processed]);
      if (sendDone && processed >= acked) break;
    }
    let drainedMs = performance.now() - t0;
    let paid = await paidCount();
    // Not all paid yet (e.g. a retry after a conflict): keep checking the invoices themselves, bounded.
    while (paid < want.size && performance.now() - t0 < opts.deadlineMs) {
      await sleep(250);
      paid = await paidCount();
      drainedMs = performance.now() - t0;
    }
    await sending;
    const cpu = cpuBetween(cpu0, stack.cpu());
    const at = (fraction: number) => timeline.find(([, n]) => n >= fraction * want.size);
    const lo = at(0.1);
    const hi = at(0.9);
    const steady = lo && hi && hi[0] > lo[0] ? round((hi[1] - lo[1]) / ((hi[0] - lo[0]) / 1000), 1) : undefined;
    return {
      payments: want.size,
      paid,
      complete: paid >= want.size,
      sendConcurrency: opts.concurrency,
      allAckedMs: round(lastAckMs, 0),
      ackErrors,
      ackLatencyMs: summarise(acks),
      allPaidMs: round(drainedMs, 0),
      appliedPerS: round(paid / (drainedMs / 1000), 1),
      steadyAppliedPerS: steady,
      pollIntervalMs: opts.pollMs,
      cpu,
      timeline: timeline.filter((_, i) => i % Math.max(1, Math.floor(timeline.length / 60)) === 0),
    };
  } finally {
    http.close();
    sqs.destroy();
  }
}

/** Raw DynamoDB Local TransactWriteItems rate: small 3-item conditional transactions on a scratch table. */
export async function rawTransactions(stack: BenchStack, runs: { n: number; concurrency: number; timeLimitMs: number }[]) {
  const client = new DynamoDBClient({ endpoint: stack.dynamodbEndpoint, region: 'us-east-1', credentials });
  const TableName = `bench-scratch-${Date.now()}`;
  await client.send(
    new CreateTableCommand({
      TableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'PK', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'PK', KeyType: 'HASH' }],
    }),
  );
  try {
    const results = [];
    let reportedCapacity: number | undefined;
    for (const [r, spec] of runs.entries()) {
      const latencies: number[] = [];
      let errors = 0;
      const txn = (i: number) =>
        new TransactWriteItemsCommand({
          ...(i === 0 && r === 0 ? { ReturnConsumedCapacity: 'TOTAL' as const } : {}),
          TransactItems: [
            { Put: { TableName, Item: { PK: { S: `a#${r}#${i}` }, amount: { N: String(i) } }, ConditionExpression: 'attribute_not_exists(PK)' } },
            { Put: { TableName, Item: { PK: { S: `b#${r}#${i}` }, amount: { N: String(i) } }, ConditionExpression: 'attribute_not_exists(PK)' } },
            {
              Update: {
                TableName,
                Key: { PK: { S: `c#${r}#${i}` } },
                UpdateExpression: 'SET balance = :b, version = :v',
                ConditionExpression: 'attribute_not_exists(version) OR version = :prev',
                ExpressionAttributeValues: { ':b': { N: '0' }, ':v': { N: '1' }, ':prev': { N: '0' } },
              },
            },
          ],
        });
      const c0 = stack.cpu();
      const run = await runBounded(spec.n, spec.concurrency, spec.timeLimitMs, async (i) => {
        const t = performance.now();
        try {
          const out = await client.send(txn(i));
          latencies.push(performance.now() - t);
          if (out.ConsumedCapacity) reportedCapacity = out.ConsumedCapacity.reduce((s, c) => s + (c.CapacityUnits ?? 0), 0);
        } catch {
          errors += 1;
        }
      });
      results.push({
        transactions: latencies.length,
        itemsPerTransaction: 3,
        concurrency: spec.concurrency,
        errors,
        wallMs: round(run.wallMs, 0),
        perS: round(latencies.length / (run.wallMs / 1000), 1),
        latencyMs: summarise(latencies),
        timedOut: run.timedOut,
        cpu: cpuBetween(c0, stack.cpu()),
      });
    }
    return { table: TableName, runs: results, reportedCapacityOf3ItemTxn: reportedCapacity };
  } finally {
    await client.send(new DeleteTableCommand({ TableName })).catch(() => undefined);
    client.destroy();
  }
}
