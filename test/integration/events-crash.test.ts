/**
 * A crash between the change and the publication loses no event and invents none.
 *
 * A manual payment (POST /payments, applied by staff to one invoice: one transaction with its outbox record —
 * payment.received, payment.applied, invoice.paid) and the outbox relay (bus, then the webhook deliveries of a
 * subscriber of every type, then the record marked) run in this process, on a table of their own
 * on the stack's DynamoDB Local (with its stream: the stack's relay watches only the stack's table, so every
 * publication here is this process's). A fault is injected into the k-th AWS call, for every k: thrown before the
 * call (the step never happened) or after it (the step happened, the process died before going on). Then the world
 * retries as it would: the client retries the request with its Idempotency-Key, Lambda redelivers the stream batch
 * from its checkpoint, the sweep publishes what is still pending. The ids published must equal the ids committed,
 * each at least once, every publication the committed envelope itself, each event with its webhook delivery.
 */
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as customersHandler } from '../../functions/customers/handler.ts';
import { handler as eventsHandler } from '../../functions/events/handler.ts';
import { handler as invoicesHandler } from '../../functions/invoices/handler.ts';
import { handler as paymentsHandler } from '../../functions/payments/handler.ts';
import { buildHttpEvent } from '../../local/gateway.ts';
import { createTable } from '../../local/provision.ts';
import { matchesPattern, toLambdaRecord } from '../../local/streams.ts';
import { dynamo, ses, sqs } from '../../shared/adapters/aws.ts';
import { eventBridge } from '../../shared/adapters/events.ts';
import type { EventEnvelope } from '../../shared/domain/events/envelope.ts';
import { logger } from '../../shared/logger.ts';
import { localPublications } from '../../shared/store/local-bus.ts';
import { getDelivery } from '../../shared/store/subscriptions.ts';
import { queryAll } from '../../shared/store/table.ts';
import { createSubscription } from '../../shared/services/webhooks.ts';
import { functionByName, scheduledEvent, type StreamTrigger } from '../../shared/topology.ts';
import { stack, unique } from '../support/stack.ts';

type Send = (command: unknown) => Promise<unknown>;
type Handler = (event: never) => Promise<unknown>;
/** A handler called with the event alone (as the local runtime's tests do; the Lambda context is optional). */
const call = (handler: unknown) => handler as Handler;

let calls = 0;
let fault: { at: number; mode: 'before' | 'after' } | undefined;
const originals = new Map<{ send: Send }, Send>();

const table = `collections-events-crash-${process.pid}`;
const trigger = functionByName('events').triggers.find((t): t is StreamTrigger => t.type === 'stream')!;
const streams = new DynamoDBStreamsClient({ endpoint: stack.dynamodbEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
let streamArn = '';
const iterators = new Map<string, string>();
/** Shards that have given records (read on from their iterator, never from their start again). */
const delivered = new Set<string>();
let previousTable: string | undefined;
let previousWebhooksQueue: string | undefined;
/** A subscriber of every type on the private table: each event must also get exactly one webhook delivery. */
let subscriptionId = '';

/** Every record the table's stream holds since the last read (all shards; new shards from their start). */
async function newStreamRecords(): Promise<DynamoDBRecord[]> {
  // Shards are looked up when none is open (the first read, or after one closed): they last hours.
  if (![...iterators.values()].some(Boolean)) {
    const described = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of described.StreamDescription?.Shards ?? []) {
      const id = shard.ShardId as string;
      if (iterators.has(id)) continue;
      const out = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: id, ShardIteratorType: 'TRIM_HORIZON' }));
      iterators.set(id, out.ShardIterator as string);
    }
  }
  const records: DynamoDBRecord[] = [];
  for (const [id, iterator] of iterators) {
    if (!iterator) continue;
    let out;
    try {
      out = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
    } catch (error) {
      // DynamoDB Local answers TrimmedDataAccessException for an iterator taken while the shard was empty once its first
      // record is written (aws/aws-sdk-java#2923; seen in whole runs). Nothing of this shard was read yet, so its
      // start (TRIM_HORIZON) is exactly what is unread.
      if ((error as Error).name !== 'TrimmedDataAccessException' || delivered.has(id)) throw error;
      const fresh = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: id, ShardIteratorType: 'TRIM_HORIZON' }));
      out = await streams.send(new GetRecordsCommand({ ShardIterator: fresh.ShardIterator as string, Limit: 1000 }));
    }
    if (out.Records?.length) delivered.add(id);
    iterators.set(id, out.NextShardIterator ?? '');
    records.push(...(out.Records ?? []).map((r) => toLambdaRecord(r, streamArn, 'us-east-1')));
  }
  return records;
}

function http(method: string, routeKey: string, path: string, body: unknown, headers: Record<string, string> = {}, pathParameters?: Record<string, string>): APIGatewayProxyEventV2 {
  return buildHttpEvent(
    {
      method,
      url: new URL(`http://local${path}`),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.adminKey}`, ...headers },
      body: Buffer.from(JSON.stringify(body)),
      sourceIp: '127.0.0.1',
    },
    routeKey,
    pathParameters,
    new Date(),
  );
}

async function created(handler: Handler, event: APIGatewayProxyEventV2): Promise<{ id: string }> {
  const res = (await handler(event as never)) as { statusCode: number; body: string };
  if (res.statusCode !== 201) throw new Error(`${event.routeKey} answered ${res.statusCode}: ${res.body}`);
  return JSON.parse(res.body) as { id: string };
}

/** The committed outbox records of a customer (GSI1), read without faults. */
async function committedRecords(customerId: string) {
  const items = await queryAll({
    TableName: table,
    IndexName: 'GSI1',
    KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :sk)',
    ExpressionAttributeValues: { ':pk': `CUSTOMER#${customerId}`, ':sk': 'OUTBOX#' },
  });
  return items.map((i) => ({ status: i.status as string, events: i.events as EventEnvelope[] }));
}

async function scenario(injected: typeof fault) {
  // Without faults: a customer and an invoice (their invoice.issued record goes out with the rest, below).
  const customer = await created(call(customersHandler), http('POST', 'POST /customers', '/customers', { name: 'Crash Test', email: `${unique('crash')}@example.com` }));
  const invoice = await created(
    call(invoicesHandler),
    http('POST', 'POST /invoices', '/invoices', { customerId: customer.id, currency: 'EUR', amount: 4200, issueDate: '2026-11-01', dueDate: '2026-12-01' }),
  );
  calls = 0;
  fault = injected;

  // The client: retries until 2xx, with the same Idempotency-Key.
  const key = unique('idem');
  for (let attempt = 0; attempt < 5; attempt++) {
    const res = (await call(paymentsHandler)(
      http(
        'POST',
        'POST /payments',
        '/payments',
        { customerId: customer.id, method: 'check', reference: 'CHK-1', amount: 4200, currency: 'EUR', receivedDate: '2026-11-20', allocations: [{ invoiceId: invoice.id, amount: 4200 }] },
        { 'idempotency-key': key },
      ) as never,
    ).catch(() => ({ statusCode: 500 }))) as { statusCode: number };
    if (res.statusCode < 300) break;
  }

  // Lambda's event source mapping: the filtered stream records in order, redelivered from the checkpoint on failure.
  let batch = (await newStreamRecords()).filter((r) => trigger.filterPatterns.some((p) => matchesPattern(p, r)));
  for (let attempt = 0; batch.length > 0 && attempt < 5; attempt++) {
    const result = (await call(eventsHandler)({ Records: batch } as never).catch(() => ({
      batchItemFailures: [{ itemIdentifier: batch[0]?.dynamodb?.SequenceNumber }],
    }))) as { batchItemFailures: { itemIdentifier: string }[] };
    const failedAt = result.batchItemFailures[0]?.itemIdentifier;
    batch = failedAt ? batch.slice(batch.findIndex((r) => r.dynamodb?.SequenceNumber === failedAt)) : [];
  }
  // The sweep, long after the grace period: until a run completes (a run that met the fault throws).
  const later = new Date(Date.now() + 10 * 60_000).toISOString();
  for (let run = 0; run < 3; run++) {
    const ok = await call(eventsHandler)(scheduledEvent({ name: 'events', time: later, scheduleArn: 'arn:local', executionId: unique('run') }) as never)
      .then(() => true)
      .catch(() => false);
    if (ok) break;
  }
  fault = undefined;
  return { customer, invoice };
}

/** What was committed and what was published for one customer, and whether they agree. */
async function outcome(customerId: string, where: string) {
  const records = await committedRecords(customerId);
  const committed = new Map(records.flatMap((r) => r.events.map((e) => [e.id, e] as const)));
  const published = await localPublications({ customerId });
  expect(records.every((r) => r.status === 'published'), `${where}: every record marked published`).toBe(true);
  // Handed to the webhook subscriptions too: one delivery per event (conditional writes: never two).
  for (const id of committed.keys()) expect(await getDelivery({ subscriptionId, eventId: id }), `${where}: the delivery of ${id}`).toBeTruthy();
  expect(new Set(published.map((p) => p.id)), `${where}: the ids published are the ids committed`).toEqual(new Set(committed.keys()));
  for (const { publishedAt: _at, ...envelope } of published) expect(envelope, `${where}: ${envelope.type} as committed`).toEqual(committed.get(envelope.id));
  return { types: [...committed.values()].map((e) => e.type).sort(), publications: published.length, distinct: committed.size };
}

describe('events out: a crash between the change and the publication', () => {
  let steps = 0;
  let baselineTypes: string[] = [];

  beforeAll(async () => {
    logger.setLogLevel('SILENT'); // the injected faults are logged as errors otherwise
    previousTable = process.env.TABLE_NAME;
    process.env.TABLE_NAME = table;
    const client = new DynamoDBClient({ endpoint: stack.dynamodbEndpoint });
    await createTable(client, table);
    streamArn = (await client.send(new DescribeTableCommand({ TableName: table }))).Table?.LatestStreamArn as string;
    client.destroy();
    await newStreamRecords(); // from the start of the (new) table's stream
    // Webhook deliveries are queued on a queue of this test's own (nothing consumes it: the deliveries' records are
    // what is checked).
    const queue = await sqs().send(new CreateQueueCommand({ QueueName: unique('events-crash-webhooks') }));
    previousWebhooksQueue = process.env.WEBHOOKS_QUEUE_URL;
    process.env.WEBHOOKS_QUEUE_URL = new URL(new URL(queue.QueueUrl as string).pathname, stack.sqsEndpoint).href;
    subscriptionId = (await createSubscription({ url: 'https://subscriber.example/hooks', types: ['*'] }, undefined, new Date())).subscription.id;
    for (const client of [dynamo(), sqs(), ses(), eventBridge()] as unknown as { send: Send }[]) {
      const original = client.send.bind(client);
      originals.set(client, original);
      client.send = async (command: unknown) => {
        calls += 1;
        if (fault && calls === fault.at && fault.mode === 'before') throw new Error(`injected fault before AWS call ${calls}`);
        const out = await original(command);
        if (fault && calls === fault.at && fault.mode === 'after') throw new Error(`injected fault after AWS call ${calls}`);
        return out;
      };
    }
    const { customer } = await scenario(undefined);
    steps = calls;
    baselineTypes = (await outcome(customer.id, 'without a fault')).types;
  });
  afterAll(() => {
    for (const [client, original] of originals) client.send = original;
    process.env.TABLE_NAME = previousTable;
    process.env.WEBHOOKS_QUEUE_URL = previousWebhooksQueue;
    logger.setLogLevel('WARN');
    streams.destroy();
  });

  it('without a fault: the invoice and the payment each go out once', () => {
    expect(baselineTypes).toEqual(expect.arrayContaining(['invoice.issued', 'invoice.paid', 'payment.applied']));
    expect(new Set(baselineTypes).size).toBe(baselineTypes.length);
    expect(steps).toBeGreaterThan(5);
  });

  it('every single fault, before or after every AWS call of the payment and the relay, publishes exactly the committed events', async () => {
    let duplicated = 0;
    for (let at = 1; at <= steps; at++) {
      for (const mode of ['before', 'after'] as const) {
        const where = `fault ${mode} AWS call ${at}`;
        const { customer } = await scenario({ at, mode });
        const result = await outcome(customer.id, where);
        expect(result.types, where).toEqual(baselineTypes);
        // A publication the process died after is published again: the same ids (the set above), never new ones.
        if (result.publications > result.distinct) duplicated += 1;
      }
    }
    // A fault right after a publication (the local bus's write) and before the record is marked makes a duplicate.
    expect(duplicated).toBeGreaterThan(0);
  }, 120_000);
});
