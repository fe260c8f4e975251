/**
 * (c) DynamoDB capacity per applied payment, measured in-process: the bench process imports the real webhook
 * ingestion (`ingestStripe`) and the real worker use case (`processEvent` → `applyIncomingPayment`), points them at
 * the child stack's emulators, and wraps the shared DynamoDB document client's `send` so that every command asks for
 * `ReturnConsumedCapacity: 'TOTAL'` and every reported unit is summed.
 *
 * DynamoDB Local's figures are approximate (a multi-item TransactWriteItems reports about one item's worth; GSI
 * writes are not reported), so the wrapper also computes the units DynamoDB would charge from the items themselves:
 * it reads each written item before and after the write (shadow reads, not counted) and applies the documented
 * rules — 1 WCU per started KB of the larger of the old and new item, ×2 inside a transaction; a GSI entry written,
 * updated or deleted costs 1 WCU per started KB (projection ALL: the whole item), a GSI key change costs a delete and
 * a put; reads 1 RCU per started 4 KB (strongly consistent), half for eventually consistent, a query per 4 KB of all
 * items returned.
 */
import { clientEnv } from '../local/child-stack.ts';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { table } from '../shared/topology.ts';
import type { BenchStack } from './stack.ts';
import { round, summarise } from './stats.ts';
import { createInvoices, paymentSucceeded, sign, sqsClient } from './traffic.ts';

type Item = Record<string, unknown>;
type Key = Record<string, unknown>;

export interface OpStats {
  calls: number;
  failed: number;
  reportedWcu: number;
  reportedRcu: number;
  itemsWritten: number;
  tableWcu: number;
  gsiWcu: number;
  rcu: number;
}

function emptyStats(): OpStats {
  return { calls: 0, failed: 0, reportedWcu: 0, reportedRcu: 0, itemsWritten: 0, tableWcu: 0, gsiWcu: 0, rcu: 0 };
}

/** DynamoDB item size rules: attribute names + values; numbers ≈ 1 byte per 2 significant digits + 1; lists/maps 3 bytes + 1 per element. */
export function valueSize(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number' || typeof value === 'bigint') {
    const digits = String(value).replace(/^-/, '').replace('.', '').replace(/e.*$/i, '').replace(/^0+/, '').replace(/0+$/, '');
    return 1 + Math.ceil(Math.max(1, digits.length) / 2);
  }
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce((s: number, v) => s + valueSize(v), 0);
  if (Array.isArray(value)) return 3 + value.reduce((s: number, v) => s + 1 + valueSize(v), 0);
  if (typeof value === 'object') {
    return 3 + Object.entries(value as Item).reduce((s, [k, v]) => s + 1 + Buffer.byteLength(k) + valueSize(v), 0);
  }
  return 0;
}

export function itemSize(item: Item): number {
  return Object.entries(item).reduce((s, [k, v]) => (v === undefined ? s : s + Buffer.byteLength(k) + valueSize(v)), 0);
}

const kb = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
const kb4 = (bytes: number) => Math.max(1, Math.ceil(bytes / 4096));

/** WCU for the GSIs when an item goes from `before` to `after` (either may be absent). */
function gsiUnits(before: Item | undefined, after: Item | undefined): number {
  let units = 0;
  for (const index of table.indexes) {
    const keyOf = (i: Item | undefined) =>
      i && i[index.partitionKey] !== undefined && i[index.sortKey] !== undefined ? `${String(i[index.partitionKey])}\u0000${String(i[index.sortKey])}` : undefined;
    const kBefore = keyOf(before);
    const kAfter = keyOf(after);
    if (kBefore === undefined && kAfter === undefined) continue;
    if (kBefore !== undefined && kAfter !== undefined) {
      units += kBefore === kAfter ? kb(itemSize(after as Item)) : kb(itemSize(before as Item)) + kb(itemSize(after as Item));
    } else if (kAfter !== undefined) units += kb(itemSize(after as Item));
    else units += kb(itemSize(before as Item));
  }
  return units;
}

function sumCapacity(consumed: unknown): number {
  const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
  let total = 0;
  for (const c of list as { CapacityUnits?: number; WriteCapacityUnits?: number; ReadCapacityUnits?: number }[]) {
    total += c.CapacityUnits ?? (c.WriteCapacityUnits ?? 0) + (c.ReadCapacityUnits ?? 0);
  }
  return total;
}

interface Command {
  input: Record<string, unknown>;
  constructor: { name: string };
}
type Send = (command: Command, ...rest: unknown[]) => Promise<Record<string, unknown>>;

interface WriteTarget {
  tableName: string;
  key: Key;
}

function keyOfItem(item: Item): Key {
  return { [table.partitionKey]: item[table.partitionKey], [table.sortKey]: item[table.sortKey] };
}

function writeTargets(name: string, input: Record<string, unknown>): WriteTarget[] {
  switch (name) {
    case 'PutCommand':
      return [{ tableName: input.TableName as string, key: keyOfItem(input.Item as Item) }];
    case 'UpdateCommand':
    case 'DeleteCommand':
      return [{ tableName: input.TableName as string, key: input.Key as Key }];
    case 'TransactWriteCommand':
      return (input.TransactItems as Record<string, Record<string, unknown>>[]).map((action) => {
        const [kind, body] = Object.entries(action)[0] as [string, Record<string, unknown>];
        return { tableName: body.TableName as string, key: kind === 'Put' ? keyOfItem(body.Item as Item) : (body.Key as Key) };
      });
    default:
      return [];
  }
}

/**
 * Instruments a DynamoDB document client (the shared `dynamo()` singleton). Returns the tracker; `phase` labels what
 * follows (e.g. 'webhook', 'worker'); `stats` is keyed by `<phase> <Command>`.
 */
export function instrument(client: unknown) {
  const target = client as { send: Send };
  const original: Send = target.send.bind(client);
  const stats = new Map<string, OpStats>();
  let phase = 'other';
  let enabled = true;
  const transactKinds = new Map<string, number>();

  const shadowGet = async (t: WriteTarget): Promise<Item | undefined> => {
    const out = await original(new GetCommand({ TableName: t.tableName, Key: t.key, ConsistentRead: true }) as unknown as Command);
    return out.Item as Item | undefined;
  };

  target.send = async (command: Command, ...rest: unknown[]) => {
    if (!enabled) return original(command, ...rest);
    const name = command.constructor.name;
    const s = stats.get(`${phase} ${name}`) ?? emptyStats();
    stats.set(`${phase} ${name}`, s);
    s.calls += 1;
    command.input.ReturnConsumedCapacity = 'TOTAL';
    const targets = writeTargets(name, command.input);
    const before = await Promise.all(targets.map(shadowGet));
    let out: Record<string, unknown>;
    try {
      out = await original(command, ...rest);
    } catch (error) {
      s.failed += 1;
      throw error;
    }
    const reported = sumCapacity(out.ConsumedCapacity);
    if (targets.length > 0) {
      s.reportedWcu += reported;
      const after = await Promise.all(targets.map(shadowGet));
      const transactional = name === 'TransactWriteCommand' ? 2 : 1;
      if (name === 'TransactWriteCommand') {
        for (const action of command.input.TransactItems as Record<string, unknown>[]) {
          const kind = Object.keys(action)[0] as string;
          transactKinds.set(kind, (transactKinds.get(kind) ?? 0) + 1);
        }
      }
      targets.forEach((_, i) => {
        const b = before[i];
        const a = after[i];
        const size = Math.max(b ? itemSize(b) : 0, a ? itemSize(a) : 0);
        s.itemsWritten += 1;
        s.tableWcu += kb(size) * transactional;
        s.gsiWcu += gsiUnits(b, a);
      });
    } else {
      s.reportedRcu += reported;
      const factor = command.input.ConsistentRead === true ? 1 : 0.5;
      if (name === 'GetCommand') {
        s.rcu += out.Item ? kb4(itemSize(out.Item as Item)) * factor : factor;
      } else if (name === 'QueryCommand' || name === 'ScanCommand') {
        const items = (out.Items as Item[] | undefined) ?? [];
        s.rcu += kb4(items.reduce((sum, i) => sum + itemSize(i), 0)) * factor;
      }
    }
    return out;
  };

  return {
    setPhase(p: string) {
      phase = p;
    },
    disable() {
      enabled = false;
    },
    stats,
    transactKinds,
    restore() {
      target.send = original;
    },
  };
}

export interface CapacityTotals {
  calls: number;
  reportedWcu: number;
  reportedRcu: number;
  tableWcu: number;
  gsiWcu: number;
  wcu: number;
  rcu: number;
  itemsWritten: number;
}

function totals(entries: OpStats[], per: number): CapacityTotals {
  const sum = (f: (s: OpStats) => number) => round(entries.reduce((a, s) => a + f(s), 0) / per, 2);
  return {
    calls: sum((s) => s.calls),
    reportedWcu: sum((s) => s.reportedWcu),
    reportedRcu: sum((s) => s.reportedRcu),
    tableWcu: sum((s) => s.tableWcu),
    gsiWcu: sum((s) => s.gsiWcu),
    wcu: sum((s) => s.tableWcu + s.gsiWcu),
    rcu: sum((s) => s.rcu),
    itemsWritten: sum((s) => s.itemsWritten),
  };
}

/**
 * (c) M payments through the real ingestion and worker code, in this process, against the child stack's emulators.
 * The ingestion enqueues to a scratch queue (so the child's worker does not also take them); this process then runs
 * the worker's use case for each event itself.
 */
export async function measureCapacity(
  stack: BenchStack,
  opts: { m: number; timed: number; timeLimitMs: number; runId: string; rand: () => number; log: (s: string) => void },
) {
  const sqs = sqsClient(stack);
  const queue = await sqs.send(new CreateQueueCommand({ QueueName: `bench-capacity-${opts.runId}` }));
  sqs.destroy();
  Object.assign(process.env, clientEnv(stack), {
    PAYMENTS_QUEUE_URL: new URL(new URL(queue.QueueUrl as string).pathname, stack.sqsEndpoint).href,
    POWERTOOLS_SERVICE_NAME: 'collections-bench',
    POWERTOOLS_LOG_LEVEL: 'WARN',
  });
  // Imported only now: the logger and the AWS clients read the environment when they are first used.
  const { dynamo } = await import('../shared/adapters/aws.ts');
  const { ingestStripe } = await import('../shared/services/ingest.ts');
  const { processEvent } = await import('../shared/services/reconcile.ts');

  opts.log(`  creating ${opts.m + opts.timed} customers and invoices…`);
  const created = await createInvoices(stack, opts.m + opts.timed, 8, opts.timeLimitMs, opts.rand);
  const invoices = created.invoices.slice(0, opts.m);
  const spare = created.invoices.slice(opts.m);
  const tracker = instrument(dynamo());
  const outcomes: Record<string, number> = {};
  let applied = 0;
  const t0 = performance.now();
  try {
    for (const [i, inv] of invoices.entries()) {
      if (performance.now() - t0 > opts.timeLimitMs) break;
      const payload = paymentSucceeded(`${opts.runId}c`, i, inv.id, inv.amount);
      const eventId = (JSON.parse(payload) as { id: string }).id;
      tracker.setPhase('webhook');
      const stored = await ingestStripe(Buffer.from(payload), sign(payload, stack.stripeWebhookSecret), new Date());
      if (stored !== 'stored') throw new Error(`event ${eventId} was not stored (${stored})`);
      tracker.setPhase('worker');
      const outcome = await processEvent({ source: 'stripe', eventId }, new Date());
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      if (outcome === 'applied') applied += 1;
    }
  } finally {
    tracker.restore();
  }
  const wallMs = performance.now() - t0;

  // The same path uninstrumented (no shadow reads), timed: what one payment costs a single sequential worker.
  const ingestMs: number[] = [];
  const processMs: number[] = [];
  const t1 = performance.now();
  for (const [i, inv] of spare.entries()) {
    if (performance.now() - t1 > opts.timeLimitMs) break;
    const payload = paymentSucceeded(`${opts.runId}t`, i, inv.id, inv.amount);
    const eventId = (JSON.parse(payload) as { id: string }).id;
    const a = performance.now();
    await ingestStripe(Buffer.from(payload), sign(payload, stack.stripeWebhookSecret), new Date());
    const b = performance.now();
    const outcome = await processEvent({ source: 'stripe', eventId }, new Date());
    const e = performance.now();
    if (outcome !== 'applied') throw new Error(`timed payment ${eventId}: ${outcome}`);
    ingestMs.push(b - a);
    processMs.push(e - b);
  }
  if (applied === 0) throw new Error(`no payment applied in-process: ${JSON.stringify(outcomes)}`);
  const entries = [...tracker.stats.entries()];
  const byPhase = (phase: string) => entries.filter(([k]) => k.startsWith(`${phase} `)).map(([, s]) => s);
  const byOperation = Object.fromEntries(
    entries.map(([k, s]) => [k, { ...totals([s], applied), failedCalls: s.failed }]),
  );
  const transaction = Object.fromEntries([...tracker.transactKinds.entries()].map(([k, v]) => [k, round(v / applied, 2)]));
  // How DynamoDB Local's own figures compare with the computed ones: single-item writes vs transactions.
  const writes = entries.filter(([, st]) => st.itemsWritten > 0);
  const compare = (pick: (name: string) => boolean) => {
    const list = writes.filter(([k]) => pick(k.split(' ')[1] as string)).map(([, st]) => st);
    return {
      reported: round(list.reduce((a, st) => a + st.reportedWcu, 0) / applied, 2),
      computed: round(list.reduce((a, st) => a + st.tableWcu + st.gsiWcu, 0) / applied, 2),
    };
  };
  return {
    payments: applied,
    outcomes,
    wallMs: round(wallMs, 0),
    inProcessSequential: {
      payments: processMs.length,
      ingestMs: summarise(ingestMs),
      workerMs: summarise(processMs),
      note: 'ingestStripe and processEvent called one after another in the bench process, uninstrumented, against the same emulators',
    },
    perPayment: {
      total: totals(entries.map(([, s]) => s), applied),
      webhook: totals(byPhase('webhook'), applied),
      worker: totals(byPhase('worker'), applied),
    },
    transactionItemsPerPayment: transaction,
    byOperation,
    dynamoDbLocal: {
      reportsForEveryOperation: entries.every(([, st]) => st.calls === st.failed || st.reportedWcu + st.reportedRcu > 0),
      singleItemWritesPerPayment: compare((name) => name !== 'TransactWriteCommand'),
      transactionsPerPayment: compare((name) => name === 'TransactWriteCommand'),
    },
    assumptions:
      'item size per the DynamoDB rules (names + values; numbers 1 byte per 2 digits + 1; lists/maps 3 + 1 per element); update = larger of old and new item; transactional table writes ×2, GSI writes ×1 (projection ALL, key change = delete + put); failed conditional writes not counted',
  };
}
