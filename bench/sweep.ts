/**
 * (e) What the reminders sweep reads: N open invoices, 1 % of them due, every one of them in the sparse next-action
 * index (GSI2) with its next action time — the realistic case, not a sparse index of only the due ones.
 *
 *  1. the sweep: for every shard, page through the production query (`dueSlice('dunning', shard, now, 250, cursor)`,
 *     shared/store/due-index.ts) until it ends; shards in parallel, pages in sequence, as the worker does;
 *  2. the same due invoices read by primary key (BatchGetItem, 100 keys per call);
 *  3. a naive sweep: Scan of the table filtered to the due items (a parallel Scan of `scanSegments` segments, each
 *     paginated to its end: same items read, same units; DynamoDB Local's cost per Scan page grows with the rows after
 *     the cursor, so one segment over 100k items takes about ten minutes there).
 *
 * Every call asks for `ReturnConsumedCapacity: 'TOTAL'` and the reported units are summed; the units DynamoDB would
 * charge are also computed from the item sizes (the rules of bench/capacity.ts): eventually consistent reads are half
 * a unit per started 4 KB — of each item for GetItem/BatchGetItem, of all the items a Query or Scan page reads
 * (before any filter or projection; GSI2 projects ALL, so an index entry is the whole item).
 *
 * The data goes to a scratch table with the production key schema and indexes (local/provision.ts `createTable`) on
 * the bench stack's DynamoDB Local: the stack's own table holds the invoices of (b) and (c), which carry dunning
 * keys of their own, and the stack's workers do not look at the scratch table. It is deleted afterwards.
 */
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { clientEnv } from '../local/child-stack.ts';
import { createTable } from '../local/provision.ts';
import { actionShard } from '../shared/domain/collections.ts';
import { buildInvoice, sequenceInvoiceNumber, type Invoice, type NewInvoice } from '../shared/domain/invoice.ts';
import { createRfReference } from '../shared/domain/rf-reference.ts';
import type { PaymentTerms } from '../shared/domain/terms.ts';
import { keys } from '../shared/store/keys.ts';
import { ACTION_SHARDS, functions } from '../shared/topology.ts';
import { itemSize } from './capacity.ts';
import { cpuBetween, type BenchStack } from './stack.ts';
import { round, runBounded, sleep, summarise } from './stats.ts';

type Item = Record<string, unknown>;

export interface SweepParams {
  /** Open invoices in the table (and in the index). */
  invoices: number;
  /** Of which due at the sweep's instant. */
  due: number;
  invoicesPerCustomer: number;
  /** Page size of a sweep message (SWEEP_PAGE in shared/services/collections.ts). */
  page: number;
  writeConcurrency: number;
  /** TotalSegments of the naive sweep's parallel Scan. */
  scanSegments: number;
  seed: number;
  /** For the loading, and again for each measured read. */
  timeLimitMs: number;
  /** The portfolio the SQS/Lambda projection is computed for. */
  projectTo: number;
}

/** Half a unit per started 4 KB: eventually consistent reads (GSI queries are always). */
const rcu = (bytes: number) => Math.max(1, Math.ceil(bytes / 4096)) * 0.5;

function reported(consumed: unknown): number | undefined {
  const list = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as { CapacityUnits?: number }[];
  if (list.length === 0) return undefined;
  return list.reduce((s, c) => s + (c.CapacityUnits ?? 0), 0);
}

const LINE_TEXT = [
  'Professional plan subscription, 10 seats, monthly billing period',
  'Implementation and onboarding services (remote), per day',
  'Additional storage 500 GB, billed monthly in advance',
  'Support package Business (8×5, next-business-day response)',
  'Consulting: data migration from legacy ERP, per hour',
  'Hardware: barcode scanner with charging cradle and 3-year warranty',
  'Training workshop for accounts receivable team (up to 12 participants)',
  'Shipping and handling, standard parcel, tracked',
];

const TERMS: PaymentTerms[] = [
  {
    netDays: 30,
    lateInterest: { mode: 'statutory', referenceRateBasisPoints: 227, marginBasisPoints: 900, startDaysPastDue: 0 },
    graceDays: 5,
    minimumAmounts: { EUR: 500, USD: 500 },
    fixedLateFee: { EUR: 4000 },
  },
  { netDays: 14, lateInterest: { mode: 'none' }, graceDays: 0, minimumAmounts: { EUR: 100 } },
  {
    netDays: 30,
    earlyPaymentDiscount: { basisPoints: 200, days: 10 },
    lateInterest: { mode: 'simple', annualRateBasisPoints: 1800, startDaysPastDue: 14 },
    graceDays: 3,
    minimumAmounts: { EUR: 1000, USD: 1000 },
  },
];

/**
 * The synthetic portfolio, one invoice at a time (so 100k invoices never sit in memory at once): ids, customers,
 * shards and next action times are decided up front; items are built on demand from a seeded generator.
 */
function portfolio(p: SweepParams, sweepAt: Date) {
  let a = p.seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)] as T;
  const customers = Array.from({ length: Math.ceil(p.invoices / p.invoicesPerCustomer) }, () => `cus_${hex(32)}`);
  const ids = Array.from({ length: p.invoices }, () => `inv_${hex(32)}`);
  // Exactly `due` invoices due, chosen at random (a partial Fisher–Yates shuffle).
  const order = Array.from({ length: p.invoices }, (_, i) => i);
  for (let i = 0; i < p.due; i++) {
    const j = i + Math.floor(rand() * (p.invoices - i));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const dueSet = new Set(order.slice(0, p.due));
  const at = sweepAt.getTime();
  const day = 86_400_000;
  // The boundary on both sides: one due exactly at the sweep's instant, one a millisecond after it.
  const atBoundary = order[0];
  const justAfter = order[p.due];

  const item = (i: number): { item: Item; invoice: Invoice; shard: number; due: boolean } => {
    const customerId = customers[Math.floor(i / p.invoicesPerCustomer)] as string;
    const due = dueSet.has(i);
    const next = i === atBoundary ? at : i === justAfter ? at + 1 : due ? at - 60_000 - Math.floor(rand() * 30 * day) : at + 60_000 + Math.floor(rand() * 45 * day);
    const terms = pick(TERMS);
    const currency = rand() < 0.05 ? 'USD' : 'EUR';
    // Issued in the last 60 days (the due ones 30 to 90 days ago), never after the sweep.
    const issued = new Date(at - (due ? 30 * day : 0) - Math.floor(rand() * 60 * day));
    const lines = Array.from({ length: 1 + Math.floor(rand() * 5) }, (_, l) => ({
      description: `${pick(LINE_TEXT)} — ${issued.toISOString().slice(0, 7)}, PO ${4500000000 + Math.floor(rand() * 99_999_999)}, item ${l + 1}`,
      quantity: 1 + Math.floor(rand() * 12),
      unitAmount: 500 + Math.floor(rand() * 250_000),
    }));
    const input: NewInvoice = { customerId, currency, lines, issueDate: issued.toISOString().slice(0, 10) };
    const body = Array.from({ length: 12 }, () => pick('ABCDEFGHJKLMNPQRSTUVWXYZ0123456789'.split(''))).join('');
    const invoice = buildInvoice(input, { id: ids[i] as string, number: sequenceInvoiceNumber(i + 1), paymentReference: createRfReference(body) }, issued, {
      terms,
      timeZone: 'Europe/Berlin',
    });
    // Overdue invoices have been reminded before: the ladder state the dunning run keeps on the invoice.
    if (due && rand() < 0.6) {
      invoice.lastStepSent = pick(['due-day', 'gentle', 'firm']);
      invoice.lastStepAt = new Date(next - 3 * day).toISOString();
    }
    const shard = actionShard(customerId, ACTION_SHARDS);
    return {
      invoice,
      shard,
      due,
      item: {
        ...keys.invoice(invoice.id),
        ...keys.invoiceByCustomer(invoice.customerId, invoice.status, invoice.dueDate, invoice.id),
        ...keys.invoiceByStatus(invoice.status, invoice.dueDate, invoice.id),
        entity: 'invoice',
        ...invoice,
        ...keys.dunningDue(shard, new Date(next).toISOString(), invoice.id),
        requestHash: hex(64),
      },
    };
  };
  return { item, customers: customers.length };
}

async function withRetries<T>(what: string, attempt: () => Promise<T>, pending: (out: T) => number): Promise<T> {
  let out = await attempt();
  for (let tries = 1; pending(out) > 0; tries++) {
    if (tries > 12) throw new Error(`${what}: ${pending(out)} still unprocessed after ${tries} attempts`);
    await sleep(Math.min(1000, 20 * 2 ** tries));
    out = await attempt();
  }
  return out;
}

/** (e) The sweep's reads next to reading just the due invoices by key, and next to a filtered Scan. */
export async function measureSweep(stack: BenchStack, p: SweepParams, opts: { runId: string; log: (s: string) => void }) {
  const TableName = `bench-sweep-${opts.runId}`;
  const previousTable = process.env.TABLE_NAME;
  Object.assign(process.env, clientEnv(stack), { TABLE_NAME: TableName, POWERTOOLS_SERVICE_NAME: 'collections-bench', POWERTOOLS_LOG_LEVEL: 'WARN' });
  // Imported only now: the AWS clients read the environment when they are first used.
  const { dynamo } = await import('../shared/adapters/aws.ts');
  const { dueSlice } = await import('../shared/store/due-index.ts');
  const { SWEEP_PAGE } = await import('../shared/services/collections.ts');
  if (p.page !== SWEEP_PAGE) throw new Error(`page ${p.page} is not the sweep's page size (SWEEP_PAGE ${SWEEP_PAGE})`);
  const admin = new DynamoDBClient({ endpoint: stack.dynamodbEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await createTable(admin, TableName);
  const db = dynamo();
  try {
    const sweepAt = new Date(Math.floor(Date.now() / 1000) * 1000);
    const gen = portfolio(p, sweepAt);
    const sizeOf = new Map<string, number>();
    const dueIds: string[] = [];
    const dueByShard = new Array<number>(ACTION_SHARDS).fill(0);
    const sizes: number[] = [];
    let tableBytes = 0;

    // Loading: BatchWriteItem, 25 items per call, `writeConcurrency` calls in flight, unprocessed items retried.
    opts.log(`  writing ${p.invoices.toLocaleString('en')} invoices (${gen.customers.toLocaleString('en')} customers, ${p.due.toLocaleString('en')} due) to ${TableName}…`);
    const batches = Math.ceil(p.invoices / 25);
    let written = 0;
    let nextLog = performance.now() + 15_000;
    const c0 = stack.cpu();
    const load = await runBounded(batches, p.writeConcurrency, p.timeLimitMs, async (b) => {
      const requests: { PutRequest: { Item: Item } }[] = [];
      for (let i = b * 25; i < Math.min(p.invoices, (b + 1) * 25); i++) {
        const g = gen.item(i);
        const size = itemSize(g.item);
        sizeOf.set(g.invoice.id, size);
        sizes.push(size);
        tableBytes += size;
        if (g.due) {
          dueIds.push(g.invoice.id);
          dueByShard[g.shard] = (dueByShard[g.shard] ?? 0) + 1;
        }
        requests.push({ PutRequest: { Item: g.item } });
      }
      let batch = requests;
      await withRetries(
        `BatchWriteItem ${b}`,
        async () => {
          const out = await db.send(new BatchWriteCommand({ RequestItems: { [TableName]: batch } }));
          batch = (out.UnprocessedItems?.[TableName] ?? []) as typeof requests;
          return batch.length;
        },
        (left) => left,
      );
      written += requests.length;
      if (performance.now() > nextLog) {
        nextLog += 15_000;
        opts.log(`    ${written.toLocaleString('en')} written…`);
      }
    });
    const loadCpu = cpuBetween(c0, stack.cpu());
    if (load.timedOut || written !== p.invoices) {
      throw new Error(`wrote only ${written} of ${p.invoices} invoices within ${p.timeLimitMs / 1000} s`);
    }
    const meanSize = tableBytes / p.invoices;
    opts.log(`    ${written.toLocaleString('en')} invoices in ${round(load.wallMs / 1000, 1)} s, mean item ${round(meanSize, 0)} B`);

    // 1. The sweep: the production query, every shard to its end (shards in parallel, as the worker's messages run).
    opts.log(`  sweep: dueSlice('dunning', shard, ${sweepAt.toISOString()}, ${p.page}) over ${ACTION_SHARDS} shards…`);
    const s0 = performance.now();
    const c1 = stack.cpu();
    const perShard = await Promise.all(
      Array.from({ length: ACTION_SHARDS }, async (_, shard) => {
        const ids: string[] = [];
        const pageSizes: number[] = [];
        let reportedRcu = 0;
        let computedRcu = 0;
        let unreported = 0;
        let jobs = 0;
        let cursor: Record<string, unknown> | undefined;
        const maxPages = Math.ceil(p.invoices / p.page) + 2;
        do {
          if (pageSizes.length >= maxPages || performance.now() - s0 > p.timeLimitMs) throw new Error(`sweep of shard ${shard} did not end`);
          const page = await dueSlice('dunning', shard, sweepAt.toISOString(), p.page, cursor);
          if (page.consumedCapacity > 0) reportedRcu += page.consumedCapacity;
          else unreported += 1;
          let bytes = 0;
          for (const e of page.entries) {
            ids.push(e.invoiceId);
            bytes += sizeOf.get(e.invoiceId) ?? Number.NaN;
          }
          computedRcu += rcu(bytes);
          pageSizes.push(page.entries.length);
          // What the worker enqueues for the page: one dunning job per customer on it.
          jobs += new Set(page.entries.map((e) => e.customerId)).size;
          cursor = page.lastKey;
        } while (cursor);
        return { shard, due: dueByShard[shard] ?? 0, returned: ids.length, pages: pageSizes.length, pageItems: pageSizes, reportedRcu, computedRcu, unreported, jobs, ids };
      }),
    );
    const sweepMs = performance.now() - s0;
    const sweepCpu = cpuBetween(c1, stack.cpu());
    const returnedIds = perShard.flatMap((s) => s.ids);
    const returnedSet = new Set(returnedIds);
    const missing = dueIds.filter((id) => !returnedSet.has(id));
    const dueSet = new Set(dueIds);
    const wrong = returnedIds.filter((id) => !dueSet.has(id));
    if (returnedIds.length !== p.due || returnedSet.size !== p.due || missing.length > 0 || wrong.length > 0) {
      throw new Error(
        `the sweep returned ${returnedIds.length} items (${returnedSet.size} distinct), expected exactly the ${p.due} due invoices: ${missing.length} missing, ${wrong.length} not due`,
      );
    }
    const sum = (f: (s: (typeof perShard)[number]) => number) => perShard.reduce((a, s) => a + f(s), 0);
    const sweep = {
      returned: returnedIds.length,
      queries: sum((s) => s.pages),
      reportedRcu: round(sum((s) => s.reportedRcu), 2),
      computedRcu: round(sum((s) => s.computedRcu), 2),
      queriesWithoutReport: sum((s) => s.unreported),
      dunningJobs: sum((s) => s.jobs),
      wallMs: round(sweepMs, 0),
      cpu: sweepCpu,
      shards: perShard.map(({ ids: _ids, ...s }) => ({ ...s, reportedRcu: round(s.reportedRcu, 2), computedRcu: round(s.computedRcu, 2) })),
    };
    opts.log(`    ${sweep.returned} due in ${sweep.queries} queries, ${sweep.wallMs} ms; RCU reported ${sweep.reportedRcu}, computed ${sweep.computedRcu}`);

    // 2. Just those invoices, by primary key: BatchGetItem, 100 keys per call, unprocessed keys retried.
    opts.log(`  the ${p.due} due invoices by key (BatchGetItem × 100)…`);
    const k0 = performance.now();
    let byKeyReported = 0;
    let byKeyUnreported = 0;
    let byKeyComputed = 0;
    let byKeyItems = 0;
    let byKeyCalls = 0;
    const chunks = Array.from({ length: Math.ceil(dueIds.length / 100) }, (_, c) => dueIds.slice(c * 100, (c + 1) * 100));
    const got = await runBounded(chunks.length, 4, p.timeLimitMs, async (c) => {
      let pending = (chunks[c] as string[]).map((id) => keys.invoice(id));
      await withRetries(
        `BatchGetItem ${c}`,
        async () => {
          byKeyCalls += 1;
          const out = await db.send(new BatchGetCommand({ RequestItems: { [TableName]: { Keys: pending } }, ReturnConsumedCapacity: 'TOTAL' }));
          const units = reported(out.ConsumedCapacity);
          if (units === undefined) byKeyUnreported += 1;
          else byKeyReported += units;
          for (const item of out.Responses?.[TableName] ?? []) {
            byKeyItems += 1;
            byKeyComputed += rcu(itemSize(item));
          }
          pending = (out.UnprocessedKeys?.[TableName]?.Keys ?? []) as typeof pending;
          return pending.length;
        },
        (left) => left,
      );
    });
    const byKeyMs = performance.now() - k0;
    if (got.timedOut || byKeyItems !== p.due) throw new Error(`BatchGetItem returned ${byKeyItems} of the ${p.due} due invoices`);
    const byKey = {
      items: byKeyItems,
      calls: byKeyCalls,
      reportedRcu: round(byKeyReported, 2),
      computedRcu: round(byKeyComputed, 2),
      callsWithoutReport: byKeyUnreported,
      wallMs: round(byKeyMs, 0),
    };
    opts.log(`    ${byKey.items} items in ${byKey.calls} calls, ${byKey.wallMs} ms; RCU reported ${byKey.reportedRcu}, computed ${byKey.computedRcu}`);

    // 3. The naive sweep: Scan the whole table, keep the due items (the filter does not reduce what is read).
    opts.log(`  naive sweep: Scan (${p.scanSegments} segments in parallel) with a filter for the due items…`);
    const n0 = performance.now();
    const c2 = stack.cpu();
    let scanReported = 0;
    let scanUnreported = 0;
    let scanComputed = 0;
    let scanned = 0;
    let scanMatched = 0;
    let scanPages = 0;
    await Promise.all(
      Array.from({ length: p.scanSegments }, async (_, segment) => {
        let startKey: Record<string, unknown> | undefined;
        do {
          if (performance.now() - n0 > p.timeLimitMs) throw new Error(`the scan did not end within ${p.timeLimitMs / 1000} s (${scanned} items read)`);
          const out = await db.send(
            new ScanCommand({
              TableName,
              FilterExpression: 'begins_with(GSI2PK, :p) AND GSI2SK <= :upTo',
              ExpressionAttributeValues: { ':p': 'DUE#DUNNING#', ':upTo': `${sweepAt.toISOString()}#~` },
              ProjectionExpression: 'id, customerId',
              ExclusiveStartKey: startKey,
              ...(p.scanSegments > 1 ? { Segment: segment, TotalSegments: p.scanSegments } : {}),
              ReturnConsumedCapacity: 'TOTAL',
            }),
          );
          scanPages += 1;
          const units = reported(out.ConsumedCapacity);
          if (units === undefined) scanUnreported += 1;
          else scanReported += units;
          // The items a page read are not returned (filter, projection): their size is the mean item size.
          scanComputed += rcu((out.ScannedCount ?? 0) * meanSize);
          scanned += out.ScannedCount ?? 0;
          scanMatched += out.Count ?? 0;
          startKey = out.LastEvaluatedKey;
        } while (startKey);
      }),
    );
    const scanMs = performance.now() - n0;
    const scanCpu = cpuBetween(c2, stack.cpu());
    if (scanMatched !== p.due || scanned !== p.invoices) throw new Error(`the scan read ${scanned} items and kept ${scanMatched}; expected ${p.invoices} and ${p.due}`);
    const scan = {
      scanned,
      matched: scanMatched,
      pages: scanPages,
      segments: p.scanSegments,
      reportedRcu: round(scanReported, 2),
      computedRcu: round(scanComputed, 2),
      callsWithoutReport: scanUnreported,
      wallMs: round(scanMs, 0),
      cpu: scanCpu,
    };
    opts.log(`    ${scan.scanned.toLocaleString('en')} read, ${scan.matched} kept, ${scan.pages} pages, ${scan.wallMs} ms; RCU reported ${scan.reportedRcu}, computed ${scan.computedRcu}`);

    // Computed: the same portfolio at `projectTo` open invoices (1 % due), each shard's due count scaled from this
    // run. A sweep message reads one page; a full page returns a cursor, so a shard of n due items takes
    // floor(n / page) + 1 messages (the last one may come back empty).
    const scale = p.projectTo / p.invoices;
    const worker = functions.find((f) => f.name === 'collections-worker');
    const trigger = worker?.triggers.find((t) => t.type === 'queue');
    const batchSize = trigger?.type === 'queue' ? trigger.batchSize : 1;
    const projectedShards = perShard.map((s) => Math.round(s.due * scale));
    const sweepMessages = projectedShards.reduce((a, n) => a + Math.floor(n / p.page) + 1, 0);
    const projectedSweepRcu = projectedShards.reduce((a, n) => {
      const full = Math.floor(n / p.page);
      return a + full * rcu(p.page * meanSize) + rcu((n - full * p.page) * meanSize);
    }, 0);
    const projection = {
      openInvoices: p.projectTo,
      dueInvoices: Math.round(p.due * scale),
      dueByShard: projectedShards,
      sweepMessages,
      sweepMessagesNote: `${ACTION_SHARDS} started by the schedule + ${sweepMessages - ACTION_SHARDS} continuations with a cursor; each one Lambda invocation at most, pages of a shard run one after another`,
      dunningJobMessages: Math.round(sweep.dunningJobs * scale),
      collectionsWorkerBatchSize: batchSize,
      lambdaInvocations: { atLeast: Math.ceil((sweepMessages + Math.round(sweep.dunningJobs * scale)) / batchSize), atMost: sweepMessages + Math.round(sweep.dunningJobs * scale) },
      sweepRcu: round(projectedSweepRcu, 1),
      byKeyRcu: round(Math.round(p.due * scale) * rcu(meanSize), 1),
      scanRcu: round(scan.computedRcu * scale, 0),
      assumptions: `mean item size ${round(meanSize, 0)} B as in this run; due invoices spread over shards as in this run; dunning jobs = customers per page, scaled ×${round(scale, 2)}`,
    };

    return {
      table: TableName,
      sweepAt: sweepAt.toISOString(),
      invoices: p.invoices,
      customers: gen.customers,
      due: p.due,
      page: p.page,
      shards: ACTION_SHARDS,
      itemBytes: { ...summarise(sizes), total: tableBytes },
      load: { wallMs: round(load.wallMs, 0), perS: round(p.invoices / (load.wallMs / 1000), 0), concurrency: p.writeConcurrency, cpu: loadCpu },
      sweep,
      byKey,
      scan,
      projection,
      dynamoDbLocalReports: {
        query: sweep.queriesWithoutReport === 0,
        batchGet: byKey.callsWithoutReport === 0,
        scan: scan.callsWithoutReport === 0,
      },
      assumptions:
        'eventually consistent reads (the default; GSI queries cannot be strongly consistent): ½ RCU per started 4 KB — per item for BatchGetItem, per page of items read for Query and Scan; GSI2 projects ALL, so an index entry weighs the whole item and a ProjectionExpression does not lower the units; the Scan pages are costed at ScannedCount × mean item size; item size per the DynamoDB rules (bench/capacity.ts itemSize)',
    };
  } finally {
    if (previousTable === undefined) delete process.env.TABLE_NAME;
    else process.env.TABLE_NAME = previousTable;
    await admin.send(new DeleteTableCommand({ TableName })).catch(() => undefined);
    admin.destroy();
  }
}
